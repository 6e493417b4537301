/**
 * `npm run bench:e2e [-- --model base|small|small-q8_0|... --seconds 180 --typed-keys 300 --commit agreement|one-pass
 * --glossary FILE]`: speech-to-display and
 * typed-key-to-display latency through the real console core, its embedded hub and a display client.
 *
 * Speech: a fixture built word by word with espeak-ng (so each word's end time is known) is fed to the core in
 * real time, 100 ms frames (as the page's AudioWorklet sends them). Speech-to-text runs the real whisper engine
 * (smart-whisper) on a generated model of the chosen size's dimensions (default base) with 2 threads, behind
 * Silero VAD and the real streaming policy (LocalAgreement-2, the compute governor). A random-weight model's text
 * never agrees with itself, so the engine is wrapped (bench/reference-speech.ts): every pass pays the real model's
 * compute on the real audio, decoding as many tokens as the words in its buffer, then returns the reference words
 * whose audio has been heard so far. Latency of a word = when a display client first receives it (partial, or
 * final) minus when the word ended in the audio. Lag = seconds from the oldest speech without a caption to the
 * newest audio pushed, sampled with every 100 ms frame. The floor channel's events, as the client received them, are
 * replayed through a two-row wall's own roll-up (bench/wall-replay.ts): when each word was first on the wall.
 *
 * Typed: the built console page in Chromium, served by the console server; each key typed into the channel
 * input is timed until the display client receives the partial (or, for Enter, the final) that contains it.
 *
 * The last line is:
 * bench:e2e model=<m> partial_p50_ms=<a> final_p50_ms=<b> final_p95_ms=<c> typed_p99_ms=<d> lag_max_ms=<e> committed_p95_ms=<f>
 * where final is when the word's caption line was complete (its final event: what a platform cue or an export gets) and
 * committed is when the display first had the word as text that will not change (the settled start of a partial,
 * which walls and phones show as committed text, or the final)
 * (with `--commit one-pass`, plus `commit=one-pass`: the console's Final words setting, see electron/stt/README.md; with
 * `--glossary FILE`, a glossary CSV imported into the console as at an event, plus `glossary=<terms>`; with `--voice`,
 * a booth console's load: the interpreter's voice source runs beside the floor on the same speech, its lines to
 * channel en, plus `voice_final_p95_ms=<v>`; `--threads N`: each source's passes on N threads instead of 2, plus
 * `threads=<n>`; `--serialize`: with --voice, one pass at a time across the sources, plus `serialize`: experiments,
 * neither kept in the product, see the README)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { io, type Socket } from 'socket.io-client';
import type { ChannelChange, HubClientEvents, HubServerEvents, PartialUpdate } from '../electron/common/protocol';
import { ok } from '../electron/common/result';
import type { CaptionEvent } from '../electron/common/stt-protocol';
import { ConsoleCore } from '../electron/console/console-core';
import { startConsoleServer } from '../electron/console/console-server';
import type { SttSourceFactory } from '../electron/console/stt-source';
import { SAMPLE_RATE, warmUpEngine, type SpeechEngine } from '../electron/stt/engine';
import { loadSmartWhisperEngine } from '../electron/stt/smart-whisper-engine';
import { SttStream } from '../electron/stt/stt-stream';
import { wordCount } from '../electron/common/caption-view';
import { replayWall } from './wall-replay';
import { loadSileroVadDetector } from '../electron/stt/vad';
import {
  benchModelPath,
  buildFixture,
  draftSummary,
  commitField,
  glossaryField,
  loadBenchGlossary,
  parseBenchModel,
  parseCommitRule,
  percentile,
  ReferenceWordsEngine,
  SENTENCES,
  spokenWordCount,
  type RefWord,
} from './reference-speech';
import type { SttRealtime } from '../electron/common/stt-protocol';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'out/renderer');
const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: 'base' },
    seconds: { type: 'string', default: '180' },
    'typed-keys': { type: 'string', default: '300' },
    commit: { type: 'string' },
    glossary: { type: 'string' },
    voice: { type: 'boolean', default: false },
    threads: { type: 'string', default: '2' },
    serialize: { type: 'boolean', default: false },
  },
});
const MODEL = parseBenchModel(args.model);
const COMMIT = parseCommitRule(args.commit);
const GLOSSARY = loadBenchGlossary(args.glossary);
const SPEECH_SECONDS = Number(args.seconds);
const TYPED_KEYS = Number(args['typed-keys']);
/** A booth console's load: the interpreter's voice source runs beside the floor, on the same speech, to channel en. */
const VOICE = args.voice === true;
/** CPU threads of each source's passes (2: the product's default). */
const THREADS = Number(args.threads);

/** With --voice: one pass at a time across the sources (an experiment: the product lets them overlap). */
const SERIALIZE = args.serialize === true;
let passGate: Promise<unknown> = Promise.resolve();
function gated(engine: SpeechEngine): SpeechEngine {
  if (!SERIALIZE) return engine;
  return {
    transcribe: (pcm, options) => {
      const run = passGate.then(() => engine.transcribe(pcm, options));
      passGate = run.catch(() => undefined);
      return run;
    },
    close: () => engine.close(),
  };
}

/** What one source's stream did: its engines (one per start), streams and realtime reports. */
interface SourceRun {
  engines: ReferenceWordsEngine[];
  streams: SttStream[];
  reports: SttRealtime[];
}

/** Speech-to-text in this process (smart-whisper runs its passes off the event loop), wrapped as above. */
function referenceSttFactory(words: readonly RefWord[], heardSeconds: () => number, runs: Record<'floor' | 'voice', SourceRun>): SttSourceFactory {
  return (request, events) => {
    const { engines, streams, reports } = runs[request.source];
    let stream: SttStream | null = null;
    const queued: Float32Array[] = [];
    let closed = false;
    events.status({ type: 'status', state: 'loading' });
    const ready = (async () => {
      const real = await loadSmartWhisperEngine(request.modelPath, { threads: THREADS });
      // As the product's worker does before it says ready.
      await warmUpEngine(real, { language: request.language, threads: THREADS });
      const vad = await loadSileroVadDetector();
      const engine = new ReferenceWordsEngine(gated(real), words, heardSeconds);
      engines.push(engine);
      stream = new SttStream({
        engine,
        vad,
        language: request.language,
        task: 'transcribe',
        threads: THREADS,
        idPrefix: request.idPrefix,
        glossary: request.glossary,
        tuning: { commit: request.commit },
        onCaption: (e: CaptionEvent) => events.caption(e),
        onPassStart: (p) => (engine.bufferOffset = p.offset),
        onRealtime: (r) => reports.push(r),
      });
      streams.push(stream);
      events.status({ type: 'status', state: 'ready' });
      for (const f of queued.splice(0)) stream.push(f);
      return { engine, vad };
    })();
    ready.catch((err: unknown) => events.status({ type: 'status', state: 'failed', code: 'MODEL_LOAD_FAILED', reason: String(err) }));
    return {
      push: (frame) => (stream && !closed ? stream.push(frame) : queued.push(frame)),
      setGlossary: (terms) => stream?.configure({ glossary: terms }),
      setLanguage: (language) => stream?.configure({ language }),
      stop: async () => {
        closed = true;
        stream?.close();
        const { engine, vad } = await ready;
        await Promise.allSettled([engine.close(), vad.close()]);
      },
    };
  };
}

async function main(): Promise<void> {
  if (!existsSync(join(OUT, 'index.html'))) execFileSync('npx', ['electron-vite', 'build'], { cwd: ROOT, stdio: 'inherit' });
  const modelPath = await benchModelPath(MODEL);
  const built = performance.now();
  const { pcm, words } = buildFixture(SPEECH_SECONDS);
  console.log(`fixture: ${words.length} words, ${(pcm.length / SAMPLE_RATE).toFixed(1)} s of espeak-ng speech (${spokenWordCount()} distinct words, built in ${((performance.now() - built) / 1000).toFixed(1)} s)`);

  const dataDir = await mkdtemp(join(tmpdir(), 'tarjuman-bench-e2e-'));
  let pushedSamples = 0;
  const runs = { floor: { engines: [], streams: [], reports: [] } as SourceRun, voice: { engines: [], streams: [], reports: [] } as SourceRun };
  const { engines, streams, reports } = runs.floor;
  let lagMax = 0;
  let voiceLagMax = 0;
  const sampleLag = (): void => {
    lagMax = Math.max(lagMax, streams[0]?.lagSeconds() ?? 0);
    voiceLagMax = Math.max(voiceLagMax, runs.voice.streams[0]?.lagSeconds() ?? 0);
  };
  const core = await ConsoleCore.create({
    dataDir,
    shell: 'browser',
    hubStaticDir: OUT,
    logger: { info: () => undefined, warn: () => undefined, error: (m) => console.error(`core: ${m}`) },
    sttFactory: referenceSttFactory(words, () => pushedSamples / SAMPLE_RATE, runs),
    resolveModel: async () => ok(modelPath),
    restoreConnection: false,
  });
  await core.updateSettings({ hubMode: 'host', hostPort: 0, hostAddress: '127.0.0.1', role: 'operator', channel: 'en', room: 'main', secret: 'bench-secret-1', floorLanguage: 'en', publishFloor: true, sttCommit: COMMIT, voiceLanguage: 'en', voiceReviewMs: 0 });
  if (args.glossary !== undefined) {
    const imported = await core.importGlossary(readFileSync(args.glossary, 'utf8'));
    if (!imported.ok) throw new Error(`glossary: ${imported.error.message}`);
    console.log(`glossary: ${imported.value.terms} terms from ${args.glossary}, carried in every pass's prompt`);
  }
  const connected = await core.connectHub();
  if (!connected.ok || !connected.value.url) throw new Error(`hub: ${JSON.stringify(connected)}`);
  const hubUrl = connected.value.url;

  // The display: a socket.io display client, receiving what the display page receives.
  const display = io(hubUrl, { auth: { role: 'display', room: 'main' }, transports: ['websocket'] }) as Socket<HubServerEvents, HubClientEvents>;
  // `n`: the order of arrival, which the same millisecond does not tell (a line's final and the next line's partial).
  let arrived = 0;
  const partials: { at: number; n: number; u: PartialUpdate }[] = [];
  const changes: { at: number; n: number; c: ChannelChange }[] = [];
  display.on('caption:partial', (u) => partials.push({ at: Date.now(), n: arrived++, u }));
  display.on('caption:changed', (c) => changes.push({ at: Date.now(), n: arrived++, c }));
  await new Promise<void>((res, rej) => {
    display.on('connect', () => display.emit('display:subscribe', { channels: ['floor', 'en'] }, (r) => (r.ok ? res() : rej(new Error(r.error.message)))));
    display.on('connect_error', rej);
  });

  // ---- speech
  const sourceReady = (source: 'floor' | 'voice'): Promise<void> =>
    new Promise<void>((res) => {
      const off = core.on('stt:status', (s) => {
        if (s.source === source && s.status === 'ready') {
          off();
          res();
        }
      });
    });
  const sources = VOICE ? (['floor', 'voice'] as const) : (['floor'] as const);
  // A source's caption times are in the session's timeline from the moment it was started (stt-router.ts): the voice
  // source, started once the floor is ready, is that much later than the floor's, whose own start the alignment's
  // tolerance absorbs.
  const startedAt: Partial<Record<'floor' | 'voice', number>> = {};
  for (const source of sources) {
    const ready = sourceReady(source);
    startedAt[source] = Date.now();
    const started = await core.startSource(source, { language: 'en' });
    if (!started.ok) throw new Error(`startSource ${source}: ${started.error.message}`);
    await ready;
  }
  console.log(`speech-to-text ready: smart-whisper, generated ${MODEL.name}-dims model (${modelPath}), ${THREADS} threads, Silero VAD`);
  const frame = SAMPLE_RATE / 10;
  const t0 = Date.now();
  for (let k = 0; k * frame < pcm.length; k++) {
    const due = t0 + k * 100;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const chunk = pcm.slice(k * frame, Math.min(pcm.length, (k + 1) * frame));
    pushedSamples += chunk.length;
    for (const source of sources) core.pushAudio(source, chunk);
    sampleLag();
  }
  // Let the last utterance finish.
  const lastWord = words[words.length - 1]!;
  const until = Date.now() + 20_000;
  const finalWords = (channel = 'floor'): string[] =>
    changes.filter((x) => x.c.channel === channel && x.c.kind === 'committed').flatMap((x) => (x.c.kind === 'committed' ? x.c.line.text.trim().split(/\s+/) : []));
  while (Date.now() < until && (finalWords().length < words.length || (VOICE && finalWords('en').length < words.length))) {
    await new Promise((r) => setTimeout(r, 100));
    sampleLag();
  }
  for (const source of sources) await core.stopSource(source);

  // Align what the display received with the reference words by time and text: a line carries the span of
  // audio it came from, so its words match the reference words inside that span, in order (a dropped or
  // doubled word shifts nothing, and the repeated sentences of the fixture cannot be confused).
  const align = (received: string[], audioStart: number | undefined, audioEnd: number | undefined): number[] => {
    const lo = (audioStart ?? 0) - 0.6;
    const hi = (audioEnd ?? Infinity) + 0.6;
    const candidates = words.map((w, i) => ({ w, i })).filter(({ w }) => w.start >= lo && w.end <= hi);
    const at: number[] = [];
    let r = 0;
    for (const text of received) {
      let hit = -1;
      for (let j = r; j < candidates.length; j++) {
        if (candidates[j]!.w.text === text) {
          hit = j;
          break;
        }
      }
      at.push(hit >= 0 ? candidates[hit]!.i : -1);
      if (hit >= 0) r = hit + 1;
    }
    return at;
  };
  const finalAt: number[] = new Array(words.length).fill(NaN);
  const partialAt: number[] = new Array(words.length).fill(NaN);
  /** When the display client first had the word as committed text: in a final, or in a partial's settled start. */
  const committedAt: number[] = new Array(words.length).fill(NaN);
  let inPlace = 0;
  const floorEvents = [
    ...partials.filter((p) => p.u.channel === 'floor').map((p) => ({ at: p.at, n: p.n, final: false, line: p.u.line })),
    ...changes.filter((x) => x.c.channel === 'floor' && x.c.kind === 'committed').map((x) => ({ at: x.at, n: x.n, final: true, line: x.c.kind === 'committed' ? x.c.line : null })),
  ].sort((a, b) => a.n - b.n);
  for (const e of floorEvents) {
    if (!e.line) continue;
    const settled = e.final ? Infinity : wordCount(e.line.text.slice(0, e.line.stableChars ?? 0));
    for (const [j, k] of align(e.line.text.trim().split(/\s+/).filter(Boolean), e.line.audioStart, e.line.audioEnd).entries()) {
      if (k < 0) continue;
      if (Number.isNaN(partialAt[k]!)) partialAt[k] = e.at;
      if (j < settled && Number.isNaN(committedAt[k]!)) committedAt[k] = e.at;
      if (e.final && Number.isNaN(finalAt[k]!)) {
        finalAt[k] = e.at;
        inPlace++;
      }
    }
  }
  const got = finalWords();
  const matches = inPlace;
  const finalLat: number[] = [];
  const partialLat: number[] = [];
  const committedLat: number[] = [];
  words.forEach((w, i) => {
    const end = t0 + w.end * 1000;
    if (!Number.isNaN(finalAt[i]!)) finalLat.push(finalAt[i]! - end);
    if (!Number.isNaN(finalAt[i]!) && !Number.isNaN(committedAt[i]!)) committedLat.push(committedAt[i]! - end);
    if (!Number.isNaN(partialAt[i]!)) partialLat.push(partialAt[i]! - end);
  });
  // What a two-row wall shows, through its own roll-up: a word's first moment on it (partial or committed row).
  const wall = replayWall(floorEvents);
  /** Per reference word, the latency from its end to its first moment in `firstAt` (words of final lines only). */
  const wallLatency = (firstAt: Map<string, number[]>): number[] => {
    const at: number[] = new Array(words.length).fill(NaN);
    for (const e of floorEvents) {
      if (!e.final || !e.line) continue;
      const seen = firstAt.get(e.line.id) ?? [];
      align(e.line.text.trim().split(/\s+/).filter(Boolean), e.line.audioStart, e.line.audioEnd).forEach((k, j) => {
        if (k >= 0 && seen[j] !== undefined && !(at[k]! <= seen[j]!)) at[k] = seen[j]!;
      });
    }
    return words.flatMap((w, i) => (Number.isNaN(at[i]!) ? [] : [at[i]! - (t0 + w.end * 1000)]));
  };
  const lineWords = floorEvents.filter((e) => e.final).map((e) => wordCount(e.line?.text ?? ''));
  const floorLines = lineWords.length;
  const wallLat = wallLatency(wall.firstShown);
  const settledLat = wallLatency(wall.firstSettled);
  const passMs = engines.flatMap((e) => e.passMs);
  console.log(`speech: ${got.length}/${words.length} words final on the display, ${matches} matched to the reference; ${passMs.length} whisper passes, pass p50 ${percentile(passMs, 50).toFixed(0)} ms, p95 ${percentile(passMs, 95).toFixed(0)} ms; last word ended at ${lastWord.end.toFixed(1)} s`);
  console.log(`speech-to-display (word end -> display): partial p50 ${percentile(partialLat, 50).toFixed(0)} ms p95 ${percentile(partialLat, 95).toFixed(0)} ms; final p50 ${percentile(finalLat, 50).toFixed(0)} ms p95 ${percentile(finalLat, 95).toFixed(0)} ms max ${percentile(finalLat, 100).toFixed(0)} ms; committed (settled start of a partial, or final) p50 ${percentile(committedLat, 50).toFixed(0)} ms p95 ${percentile(committedLat, 95).toFixed(0)} ms`);
  console.log(
    `speech on a two-row wall (its roll-up at reading pace, replayed): first shown p50 ${percentile(wallLat, 50).toFixed(0)} ms p95 ` +
      `${percentile(wallLat, 95).toFixed(0)} ms (${wallLat.length} words); first shown as committed text (settled start or final) ` +
      `p50 ${percentile(settledLat, 50).toFixed(0)} ms p95 ${percentile(settledLat, 95).toFixed(0)} ms; a row on screen p10 ${percentile(wall.rowOnScreenMs, 10).toFixed(0)} ms ` +
      `p50 ${percentile(wall.rowOnScreenMs, 50).toFixed(0)} ms; catching up ${(wall.catchingUpMs / 1000).toFixed(1)} s; ` +
      `${floorLines} floor lines of ${(got.length / Math.max(1, floorLines)).toFixed(1)} words (p10 ${percentile(lineWords, 10)}, ${lineWords.filter((n) => n === 1).length} of one word)`,
  );
  const tokens = engines.flatMap((e) => e.passTokens);
  const last = reports[reports.length - 1];
  console.log(
    `lag (oldest speech without a caption -> newest audio): max ${(lagMax * 1000).toFixed(0)} ms; tokens decoded per pass p50 ${percentile(tokens, 50)} max ${percentile(tokens, 100)} (${draftSummary(engines)}); ` +
      `pacing: ${[...new Set(reports.map((r) => r.level))].join(' -> ')}${last ? `, realtime verdict ${last.verdict} (rtf ${last.rtf}, dropped ${last.droppedSeconds} s)` : ''}`,
  );
  // The voice source beside it (--voice): its lines on channel en, timed as the floor's finals are.
  let voiceFinalLat: number[] = [];
  if (VOICE) {
    const firstFinal: number[] = new Array(words.length).fill(NaN);
    for (const x of changes) {
      if (x.c.channel !== 'en' || x.c.kind !== 'committed') continue;
      const shift = ((startedAt.voice ?? 0) - (startedAt.floor ?? 0)) / 1000;
      const { audioStart, audioEnd } = x.c.line;
      for (const k of align(x.c.line.text.trim().split(/\s+/).filter(Boolean), audioStart === undefined ? undefined : audioStart - shift, audioEnd === undefined ? undefined : audioEnd - shift)) {
        if (k >= 0 && Number.isNaN(firstFinal[k]!)) firstFinal[k] = x.at;
      }
    }
    voiceFinalLat = words.flatMap((w, i) => (Number.isNaN(firstFinal[i]!) ? [] : [firstFinal[i]! - (t0 + w.end * 1000)]));
    const voicePass = runs.voice.engines.flatMap((e) => e.passMs);
    const v = runs.voice.reports.at(-1);
    console.log(
      `voice source beside the floor: ${finalWords('en').length}/${words.length} words final on channel en, ${voiceFinalLat.length} matched; ${voicePass.length} passes, p50 ${percentile(voicePass, 50).toFixed(0)} ms; ` +
        `final p50 ${percentile(voiceFinalLat, 50).toFixed(0)} ms p95 ${percentile(voiceFinalLat, 95).toFixed(0)} ms; lag max ${(voiceLagMax * 1000).toFixed(0)} ms; ` +
        `pacing: ${[...new Set(runs.voice.reports.map((r) => r.level))].join(' -> ')}${v ? `, realtime verdict ${v.verdict} (rtf ${v.rtf}, dropped ${v.droppedSeconds} s)` : ''}`,
    );
  }

  // ---- typed
  const server = await startConsoleServer({ core, staticDir: OUT, port: 0 });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'],
  });
  const typedLat: number[] = [];
  try {
    const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
    await page.goto(server.link);
    await page.getByTestId('op-en').waitFor();
    await page.keyboard.press('Alt+B');
    const input = page.getByTestId('typed-input');
    await input.click();
    const text = SENTENCES.join(' ');
    let typed = '';
    let keys = 0;
    // Only what the typing sends (with --voice, channel en carried the voice source's lines before).
    const typedFrom = changes.length;
    const seen = (pred: (text: string, state: 'partial' | 'final') => boolean, from: number): Promise<number> =>
      new Promise((res, rej) => {
        const limit = Date.now() + 10_000;
        const check = (): void => {
          const p = partials.slice(from.valueOf()).find((x) => x.u.channel === 'en' && pred(x.u.line.text, 'partial'));
          const c = changes.slice(typedFrom).find((x) => x.c.channel === 'en' && x.c.kind === 'committed' && pred(x.c.line.text, 'final'));
          const hit = [p?.at, c?.at].filter((t): t is number => t !== undefined);
          if (hit.length > 0) res(Math.min(...hit));
          else if (Date.now() > limit) rej(new Error('typed text never reached the display'));
          else setTimeout(check, 2);
        };
        check();
      });
    for (const ch of text) {
      if (keys >= TYPED_KEYS) break;
      const from = partials.length;
      const tKey = Date.now();
      if (ch === '.' && typed.length > 30) {
        typed += ch;
        await page.keyboard.type(ch);
        const line = typed.trim();
        await page.keyboard.press('Enter');
        const at = await seen((t, s) => s === 'final' && t === line, from);
        typedLat.push(at - tKey);
        typed = '';
      } else {
        typed += ch;
        await page.keyboard.type(ch);
        const want = typed.trim();
        if (want !== '') typedLat.push((await seen((t) => t.trim().startsWith(want) && t.trim().length >= want.length, from)) - tKey);
      }
      keys++;
      await new Promise((r) => setTimeout(r, 60));
    }
  } finally {
    await browser.close();
    await server.close();
  }
  console.log(`typed (key -> display, ${typedLat.length} keys incl. Enter commits, console page in Chromium): p50 ${percentile(typedLat, 50).toFixed(0)} ms p95 ${percentile(typedLat, 95).toFixed(0)} ms p99 ${percentile(typedLat, 99).toFixed(0)} ms max ${percentile(typedLat, 100).toFixed(0)} ms`);
  console.log(`note: whisper runs the generated ${MODEL.name}-dims model (random weights); its text is replaced by the reference words heard so far, so the figures are real compute and plumbing, not recognition quality.`);

  display.close();
  await core.close();
  await rm(dataDir, { recursive: true, force: true });
  console.log(
    `bench:e2e model=${MODEL.name} partial_p50_ms=${percentile(partialLat, 50).toFixed(0)} final_p50_ms=${percentile(finalLat, 50).toFixed(0)} ` +
      `final_p95_ms=${percentile(finalLat, 95).toFixed(0)} typed_p99_ms=${percentile(typedLat, 99).toFixed(0)} lag_max_ms=${(lagMax * 1000).toFixed(0)} committed_p95_ms=${percentile(committedLat, 95).toFixed(0)}${commitField(COMMIT)}${glossaryField(GLOSSARY)}${VOICE ? ` voice_final_p95_ms=${percentile(voiceFinalLat, 95).toFixed(0)}` : ''}${THREADS !== 2 ? ` threads=${THREADS}` : ''}${SERIALIZE ? ' serialize' : ''}`,
  );
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
