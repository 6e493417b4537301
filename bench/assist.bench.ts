/**
 * `npm run bench:assist [-- --verbose] [-- --no-browser]`: the booth assistant on its labelled set
 * (bench/assist/, 200 sentences in English, Russian and Arabic).
 *
 * - Precision and recall of numbers (by value) and terms (by glossary row), for the development and held-out
 *   halves and in all; the share of found numbers with the labelled unit. `--verbose` lists the development
 *   half's misses (the held-out half's are never printed).
 * - Latency from a floor word's arrival to its assist item in the console: the built console page in Chromium
 *   (fake console API, Russian booth, the set's glossary) receives every sentence word by word as growing
 *   partials and then as a final; for each caption that changes the rail, the time from the caption event to the
 *   rail's DOM holding the new item (assist step, state update and Svelte's render; paint comes within the
 *   next frame). The assist step alone, in Node, is printed beside it.
 *
 * Last line: `bench:assist sentences=<n> number_precision=<p> number_recall=<r> term_precision=<tp>
 * term_recall=<tr> p95_ms=<x>`.
 */
import type { Server } from 'node:http';
import { analyseFloorLine } from '../electron/common/assist';
import { GlossaryMatcher } from '../electron/common/term-matcher';
import { ensureRendererBuilt, installFakeApi, launchChromium, serveRenderer } from '../renderer/console/test-support/console-page';
import { loadGlossary, loadSentences, ratio, scoreSentences, type LabelledSentence, type Score } from './assist-labelled-set';

const verbose = process.argv.includes('--verbose');
const withBrowser = !process.argv.includes('--no-browser');

const fmt = (x: number): string => x.toFixed(3);
const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
};

function describeScore(label: string, s: Score): string {
  return (
    `${label.padEnd(9)} sentences=${String(s.sentences).padStart(3)} number_precision=${fmt(ratio(s.numberTp, s.numberFound))} number_recall=${fmt(ratio(s.numberTp, s.numberExpected))}` +
    ` units=${fmt(ratio(s.unitsRight, s.numberTp))} term_precision=${fmt(ratio(s.termTp, s.termFound))} term_recall=${fmt(ratio(s.termTp, s.termExpected))}` +
    ` (numbers ${s.numberTp}/${s.numberExpected} found, ${s.numberFound - s.numberTp} extra; terms ${s.termTp}/${s.termExpected}, ${s.termFound - s.termTp} extra)`
  );
}

/** The captions a sentence arrives as: one partial per word, then the final. */
function captionsOf(s: LabelledSentence, index: number): { id: string; state: 'partial' | 'final'; text: string; lang: string }[] {
  const words = s.text.split(' ');
  const out: { id: string; state: 'partial' | 'final'; text: string; lang: string }[] = words
    .slice(0, -1)
    .map((_, k) => ({ id: `b${index}`, state: 'partial', text: words.slice(0, k + 1).join(' '), lang: s.lang }));
  out.push({ id: `b${index}`, state: 'final', text: s.text, lang: s.lang });
  return out;
}

function nodeStepLatencies(sentences: readonly LabelledSentence[]): number[] {
  const times: number[] = [];
  for (let round = 0; round < 3; round++) {
    // A new matcher each round: the assist step remembers recent lines per glossary.
    const matcher = new GlossaryMatcher(loadGlossary());
    sentences.forEach((s, i) => {
      for (const c of captionsOf(s, i)) {
        const t0 = performance.now();
        analyseFloorLine(c.text, { glossary: matcher, booth: 'ru', lang: c.lang });
        if (round > 0) times.push(performance.now() - t0);
      }
    });
  }
  return times;
}

async function consoleLatencies(sentences: readonly LabelledSentence[]): Promise<{ dom: number[]; frame: number[] }> {
  ensureRendererBuilt();
  let server: Server | undefined;
  const browser = await launchChromium();
  try {
    const served = await serveRenderer();
    server = served.server;
    const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
    // tsx compiles with esbuild's keepNames, which wraps functions in __name(): give the page one.
    await page.addInitScript('globalThis.__name = (f) => f;');
    await page.addInitScript(installFakeApi, { channel: 'ru', glossary: loadGlossary() });
    await page.goto(`${served.url}/index.html`);
    await page.getByTestId('assist-rail').waitFor();
    const captions = sentences.flatMap((s, i) => captionsOf(s, i)).map((c, k) => ({ ...c, source: 'floor', start: k, end: k + 1 }));
    // In the page: emit each caption, time until the rail's DOM changes (a microtask after Svelte's flush), or
    // note no change once a macrotask has passed (the flush is over by then).
    return await page.evaluate(async (all) => {
      const emit = (window as unknown as { __emit: (e: string, p: unknown) => void }).__emit;
      const rail = document.querySelector('[data-testid="assist-rail"]')!;
      const dom: number[] = [];
      const frame: number[] = [];
      for (const caption of all) {
        let t0 = 0;
        const took = await new Promise<number | null>((resolve) => {
          const observer = new MutationObserver(() => {
            observer.disconnect();
            resolve(performance.now() - t0);
          });
          observer.observe(rail, { childList: true, subtree: true, characterData: true });
          setTimeout(() => {
            observer.disconnect();
            resolve(null);
          }, 0);
          t0 = performance.now();
          emit('stt:caption', caption);
        });
        if (took !== null) {
          dom.push(took);
          // The frame that paints it (headless Chromium runs frames at 60 Hz).
          await new Promise((r) => requestAnimationFrame(r));
          frame.push(performance.now() - t0);
        }
        // Speech-to-text sends a few updates a second, not a flood: let the page breathe between them.
        await new Promise((r) => setTimeout(r, 2));
      }
      return { dom, frame };
    }, captions);
  } finally {
    await browser.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}

async function main(): Promise<void> {
  const glossary = loadGlossary();
  const sentences = loadSentences();
  const dev = scoreSentences(
    sentences.filter((s) => s.half === 'dev'),
    glossary,
  );
  const heldOut = scoreSentences(
    sentences.filter((s) => s.half === 'held-out'),
    glossary,
  );
  const all = scoreSentences(sentences, glossary);
  console.log(`labelled set: ${sentences.length} sentences, glossary of ${glossary.length} rows`);
  for (const lang of ['en', 'ru', 'ar'] as const) {
    console.log(
      describeScore(
        lang,
        scoreSentences(
          sentences.filter((s) => s.lang === lang),
          glossary,
        ),
      ),
    );
  }
  console.log(describeScore('dev', dev));
  console.log(describeScore('held-out', heldOut));
  console.log(describeScore('all', all));
  if (verbose) {
    for (const m of dev.misses) {
      console.log(`  ${m.id} ${m.text}`);
      if (m.missedNumbers.length) console.log(`    missed numbers: ${m.missedNumbers.join(', ')}`);
      if (m.extraNumbers.length) console.log(`    extra numbers: ${m.extraNumbers.join(', ')}`);
      if (m.wrongUnits.length) console.log(`    units: ${m.wrongUnits.join(', ')}`);
      if (m.missedTerms.length) console.log(`    missed terms: ${m.missedTerms.join(', ')}`);
      if (m.extraTerms.length) console.log(`    extra terms: ${m.extraTerms.join(', ')}`);
    }
  }

  const step = nodeStepLatencies(sentences);
  console.log(`assist step alone (Node): ${step.length} captions p50=${fmt(quantile(step, 0.5))} ms p95=${fmt(quantile(step, 0.95))} ms max=${fmt(Math.max(...step))} ms`);
  let p95 = quantile(step, 0.95);
  if (withBrowser) {
    const { dom, frame } = await consoleLatencies(sentences);
    p95 = quantile(dom, 0.95);
    console.log(`caption -> assist item in the console's DOM (Chromium): ${dom.length} rail updates p50=${fmt(quantile(dom, 0.5))} ms p95=${fmt(p95)} ms max=${fmt(Math.max(...dom))} ms`);
    console.log(`caption -> the frame that paints it: p50=${fmt(quantile(frame, 0.5))} ms p95=${fmt(quantile(frame, 0.95))} ms`);
  } else console.log('--no-browser: p95_ms below is the assist step alone');
  console.log(
    `bench:assist sentences=${all.sentences} number_precision=${fmt(ratio(all.numberTp, all.numberFound))} number_recall=${fmt(ratio(all.numberTp, all.numberExpected))} term_precision=${fmt(ratio(all.termTp, all.termFound))} term_recall=${fmt(ratio(all.termTp, all.termExpected))} p95_ms=${p95.toFixed(1)}`,
  );
}

void main();
