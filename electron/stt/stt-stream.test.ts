import { describe, expect, it } from 'vitest';
import type { CaptionEvent, StreamResume, StreamTuning, SttRealtime, SttSourceLanguage } from '../common/stt-protocol';
import { SAMPLE_RATE, type EngineSegment } from './engine';
import { ScriptedEngine, ToneEngine, makeToneAudio, type ScriptedCall } from './fake-engines';
import { SttStream, type PassInfo } from './stt-stream';
import { EnergyVad } from './vad';

/** A word of the "reference" transcript a scripted engine reads from, timeline seconds. */
interface RefWord {
  w: string;
  s: number;
  e: number;
  p?: number;
  /** The language whisper detected for the word's segment (default `en`). */
  lang?: string;
}

/** n words of `dur` seconds from `from`, named w1..wn (or from `names`). */
function ref(from: number, n: number, dur = 0.4, names?: string[]): RefWord[] {
  return Array.from({ length: n }, (_, i) => ({ w: names?.[i] ?? `w${i + 1}`, s: from + i * dur, e: from + (i + 1) * dur - 0.02 }));
}

interface Harness {
  stream: SttStream;
  engine: ScriptedEngine;
  events: CaptionEvent[];
  passes: PassInfo[];
  /** Feeds `seconds` of audio in 0.25 s chunks, waiting for the stream to settle after each. */
  feed(seconds: number): Promise<void>;
  speech: (t: number) => boolean;
}

/**
 * A stream over a scripted engine and VAD. `hypothesis` decides the words of each pass from the pass (offset
 * and length of the buffer, timeline seconds); the times it returns are timeline seconds.
 */
function harness(opts: {
  speech: (t: number) => boolean;
  hypothesis: (pass: PassInfo, call: ScriptedCall) => Array<RefWord | RefWord[]>;
  tuning?: StreamTuning;
  resume?: StreamResume;
  glossary?: Array<{ en?: string; ru?: string; ar?: string }>;
  onRealtime?: (report: SttRealtime) => void;
  language?: SttSourceLanguage;
}): Harness {
  const events: CaptionEvent[] = [];
  const passes: PassInfo[] = [];
  const engine = new ScriptedEngine((call) => {
    const pass = passes[passes.length - 1]!;
    const items = opts.hypothesis(pass, call);
    const groups: RefWord[][] = [];
    for (const item of items) {
      if (Array.isArray(item)) groups.push(item);
      else if (groups.length === 0) groups.push([item]);
      else groups[groups.length - 1]!.push(item);
    }
    return groups
      .filter((g) => g.length > 0)
      .map(
        (g): EngineSegment => ({
          text: g.map((r) => ` ${r.w}`).join(''),
          start: g[0]!.s - pass.offset,
          end: g[g.length - 1]!.e - pass.offset,
          lang: g[0]!.lang ?? 'en',
          tokens: g.map((r) => ({ text: ` ${r.w}`, p: r.p ?? 0.9, start: r.s - pass.offset, end: r.e - pass.offset })),
          // A token id per word, from its start (what a next pass's draft carries).
          ids: g.map((r) => Math.round(r.s * 100)),
        }),
      );
  });
  let position = opts.resume?.startSample ?? 0;
  const stream = new SttStream({
    engine,
    vad: new EnergyVad(),
    language: opts.language ?? 'en',
    task: 'transcribe',
    idPrefix: 's',
    glossary: opts.glossary ?? [],
    tuning: opts.tuning ?? {},
    ...(opts.resume ? { resume: opts.resume } : {}),
    onCaption: (e) => events.push(e),
    onPassStart: (p) => passes.push(p),
    ...(opts.onRealtime ? { onRealtime: opts.onRealtime } : {}),
  });
  return {
    stream,
    engine,
    events,
    passes,
    speech: opts.speech,
    async feed(seconds) {
      const chunk = Math.round(0.25 * SAMPLE_RATE);
      const end = position + Math.round(seconds * SAMPLE_RATE);
      while (position < end) {
        const n = Math.min(chunk, end - position);
        stream.push(audio(position, n, opts.speech), position);
        position += n;
        await stream.whenIdle();
      }
    },
  };
}

/** Audio for the timeline samples [from, from + n): a low hum where `speech(t)`, digital silence elsewhere. */
function audio(from: number, n: number, speech: (t: number) => boolean): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = (from + i) / SAMPLE_RATE;
    if (speech(t)) out[i] = 0.1 * Math.sin(2 * Math.PI * 220 * t);
  }
  return out;
}

/** The reference words fully inside the pass's buffer. */
function visible(words: RefWord[], pass: PassInfo): RefWord[] {
  const end = pass.offset + pass.bufferSeconds;
  return words.filter((r) => r.e <= end + 1e-6 && r.s >= pass.offset - 0.05);
}

/**
 * A realistic hypothesis: every word right except the last whole one when the buffer cuts the word after it (whisper
 * has no right context for it then), which is misheard. A word followed by nothing but the pause is heard right.
 */
function unstableTail(words: RefWord[]) {
  return (pass: PassInfo): RefWord[] => {
    const v = visible(words, pass);
    if (v.length === 0 || pass.kind === 'final') return v;
    const last = v[v.length - 1]!;
    const cut = words.some((r) => r.s > last.s && r.s < pass.offset + pass.bufferSeconds);
    return cut ? [...v.slice(0, -1), { ...last, w: 'uh' }] : v;
  };
}

const finals = (events: CaptionEvent[]) => events.filter((e) => e.state === 'final');

function expectWellFormed(events: CaptionEvent[]): void {
  let seq = 0;
  let lastEnd = 0;
  for (const e of events) {
    const n = Number(e.id.slice(1));
    expect(n === seq + 1 || (e.state === 'partial' && n === seq + 1)).toBe(true);
    expect(e.end).toBeGreaterThanOrEqual(e.start);
    if (e.state === 'final') {
      expect(e.start).toBeGreaterThanOrEqual(lastEnd - 1e-6);
      lastEnd = e.end;
      seq = n;
    }
  }
}

describe('SttStream with a scripted engine', () => {
  it('commits what two passes agree on, shows the rest as partial, forces a commit at the pause', async () => {
    const words = ref(1.05, 8); // 1.05 .. 4.25 s
    const h = harness({ speech: (t) => t >= 1.0 && t < 4.3, hypothesis: unstableTail(words) });
    await h.feed(4.5); // still inside the hangover: nothing forced yet
    // Agreed words are committed before the pause. w1 w2, agreed by the third pass (audio to 3.6 s), go out as a line
    // at once: held for the next pass (about a second later), w1's final would come over 3 s after it was spoken.
    expect(finals(h.events).map((e) => e.text)).toEqual(['w1 w2']);
    expect(h.events[h.events.length - 1]).toMatchObject({ state: 'partial', text: 'w3 w4 w5 uh' });
    expect(h.passes.every((p) => p.kind === 'step')).toBe(true);
    await h.feed(2.5);
    const all = finals(h.events);
    expect(all.map((e) => e.text).join(' ')).toBe('w1 w2 w3 w4 w5 w6 w7 w8');
    // The last step (at 4.624 s, in the pause) decoded past the utterance's end (4.3 s + the 0.2 s pad): no final
    // pass decodes that audio again; what it left pending is committed when the detector closes the utterance.
    const last = h.passes[h.passes.length - 1]!;
    expect(h.passes.map((p) => p.kind)).not.toContain('final');
    expect(last.offset + last.bufferSeconds).toBeGreaterThanOrEqual(4.5);
    expect(h.events[h.events.length - 1]!.state).toBe('final');
    // "uh" never reaches a final.
    for (const e of all) expect(e.text).not.toContain('uh');
    expect(h.events.some((e) => e.state === 'partial' && e.text.endsWith('uh'))).toBe(true);
    expectWellFormed(h.events);
    expect(all[0]!.start).toBeCloseTo(1.05, 2);
    expect(all[all.length - 1]!.end).toBeCloseTo(4.23, 2);
    // Silence after the pause: no more passes, no more events.
    const n = h.events.length;
    const p = h.passes.length;
    await h.feed(5);
    expect(h.events.length).toBe(n);
    expect(h.passes.length).toBe(p);
  });

  it('emits exactly this sequence for a short utterance (pinned)', async () => {
    // Speech 1.0-2.7 s. The detector starts at the frame at 0.992 s, so the buffer starts 0.4 s before, at 0.592 s.
    // Pass 1 covers up to 1.6 s (one step of audio): only w1 is complete, misheard as "uh".
    // Pass 2 comes a step later, rounded up to whole 32 ms detector frames (2.624 s): w1 w2 + "uh" for w3;
    // nothing agrees with pass 1 yet.
    // Silence from 2.72 s. Once it has lasted the 0.2 s pad and half a step of audio came after pass 2 (3.136 s), a
    // pause pass sees w1..w4 whole: w1 w2 agree with pass 2 and are committed (the line's settled start), w3 w4 wait
    // in the partial. The detector closes the utterance 600 ms into the silence (3.32 s); pass 3 decoded past its end
    // plus the pad (2.92 s), so w3 w4 are committed then, without a pass over the same audio, and the utterance's one
    // line is final: the pause pass did not cut it.
    const words = ref(1.05, 4);
    const h = harness({ speech: (t) => t >= 1.0 && t < 2.7, hypothesis: unstableTail(words) });
    await h.feed(4);
    expect(h.passes.map((p) => [p.kind, Number(p.offset.toFixed(3)), Number((p.offset + p.bufferSeconds).toFixed(3))])).toEqual([
      ['step', 0.592, 1.6],
      ['step', 0.592, 2.624],
      ['step', 0.592, 3.136],
    ]);
    expect(h.events.map((e) => [e.state, e.id, e.text])).toEqual([
      ['partial', 's1', 'uh'],
      ['partial', 's1', 'w1 w2 uh'],
      ['partial', 's1', 'w1 w2 w3 w4'],
      ['final', 's1', 'w1 w2 w3 w4'],
    ]);
    expect(h.events[2]).toMatchObject({ stableChars: 'w1 w2'.length });
    expect(h.events[3]).toMatchObject({ start: 1.05, end: 2.63, lang: 'en' });
  });

  it('decodes nothing at all on silence, nor on a blip shorter than minSpeechMs', async () => {
    const h = harness({ speech: (t) => t >= 2 && t < 2.15, hypothesis: () => [{ w: 'ghost', s: 0, e: 1 }] });
    await h.feed(6);
    await h.stream.flush();
    expect(h.engine.calls).toHaveLength(0);
    expect(h.events).toEqual([]);
  });

  it('passes every step of new speech, with audio_ctx shrunk to the buffer plus a margin', async () => {
    const h = harness({ speech: (t) => t >= 0.5 && t < 3.6, hypothesis: () => [] });
    await h.feed(5);
    const steps = h.passes.filter((p) => p.kind === 'step');
    // Three passes in speech, one more in the hangover before the pause is confirmed; that one decoded past the end
    // of the speech (3.6 s + the 0.2 s pad), so no final pass repeats it.
    expect(steps.length).toBe(4);
    expect(h.passes.map((p) => p.kind)).toEqual(['step', 'step', 'step', 'step']);
    expect(steps[3]!.offset + steps[3]!.bufferSeconds).toBeGreaterThanOrEqual(3.8);
    for (const p of h.passes) {
      const padded = Math.max(p.bufferSeconds, 1.1);
      expect(p.audioCtx).toBe(Math.ceil((padded + 1) * 50));
      expect(h.engine.calls[p.pass - 1]!.options.audioCtx).toBe(p.audioCtx);
    }
    // Buffers grow by about one step (frames are 32 ms).
    expect(steps[1]!.bufferSeconds - steps[0]!.bufferSeconds).toBeCloseTo(1, 1);
  });

  it('still runs the final pass when the pass that decoded past the end failed', async () => {
    const words = ref(0.6, 7);
    const h = harness({
      speech: (t) => t >= 0.5 && t < 3.6,
      hypothesis: (pass, call) => {
        if (call.pass === 4) throw new Error('whisper failed');
        return unstableTail(words)(pass);
      },
    });
    await h.feed(5);
    expect(h.passes.map((p) => p.kind)).toEqual(['step', 'step', 'step', 'step', 'final']);
    expect(finals(h.events).map((e) => e.text).join(' ')).toBe('w1 w2 w3 w4 w5 w6 w7');
  });

  it('trims the buffer at a committed sentence end, so later passes start after it', async () => {
    const words = ref(0.6, 10, 0.4, ['We', 'open', 'now.', 'Next', 'item', 'is', 'the', 'budget', 'for', 'schools']);
    const h = harness({ speech: (t) => t >= 0.5 && t < 4.7, hypothesis: unstableTail(words) });
    await h.feed(7);
    const sentenceEnd = words[2]!.e;
    const committedAt = h.passes.findIndex((p) => p.offset >= sentenceEnd - 1e-6);
    expect(committedAt).toBeGreaterThan(0);
    for (const p of h.passes.slice(committedAt)) expect(p.offset).toBeGreaterThanOrEqual(sentenceEnd - 1e-6);
    expect(finals(h.events).map((e) => e.text).join(' ')).toBe('We open now. Next item is the budget for schools');
  });

  it('one-pass commit: a word heard with 0.5 s after it is final after one pass, and the next pass starts after it', async () => {
    const words = ref(1.05, 12); // 1.05 .. 5.83 s
    const run = async (commit: 'agreement' | 'one-pass') => {
      const h = harness({ speech: (t) => t >= 1.0 && t < 5.9, hypothesis: unstableTail(words), tuning: { commit } });
      const settledAt: number[] = [];
      const retained: Array<{ retain: number; lineStart: number }> = [];
      let fed = 0;
      while (fed < 5.5) {
        await h.feed(0.25);
        fed += 0.25;
        const shown = [...h.events].reverse().find((e) => e.state === 'partial');
        // Committed text on screen: a partial's settled start, or a final (a line that could not wait for more).
        const committedShown = Boolean(shown?.stableChars) || h.events.some((e) => e.state === 'final');
        if (committedShown && settledAt.length === 0) settledAt.push(h.passes.length);
        if (shown?.stableChars) retained.push({ retain: h.stream.progress().retainFromSample, lineStart: shown.start });
      }
      await h.feed(2);
      return { h, firstSettledPass: settledAt[0], retained };
    };
    const agreement = await run('agreement');
    const onePass = await run('one-pass');
    // Pass 1 (1 s of audio) hears only w1, whose right context it lacks (misheard); pass 2 hears w1 w2 right with
    // 0.5 s after them: final at once with one-pass, while agreement needs pass 3 to say them again.
    expect(agreement.firstSettledPass).toBe(3);
    expect(onePass.firstSettledPass).toBe(2);
    // The buffer is trimmed at the commit point: after the first commit, no pass starts at the utterance's start.
    const offsets = onePass.h.passes.map((p) => p.offset);
    expect(offsets.filter((o) => o > 1.2).length).toBeGreaterThanOrEqual(offsets.length - 2);
    expect(Math.max(...onePass.h.passes.map((p) => p.bufferSeconds))).toBeLessThan(
      Math.max(...agreement.h.passes.map((p) => p.bufferSeconds)),
    );
    // While the open line's words wait for their final, the stream keeps their audio for a restarted worker, even
    // though its buffer starts after them.
    expect(onePass.retained.length).toBeGreaterThan(0);
    for (const r of onePass.retained) expect(r.retain).toBeLessThanOrEqual(Math.ceil(r.lineStart * SAMPLE_RATE));
    // Every word once, in order; the misheard tail ("uh", a word the buffer cut the next one after) never final.
    for (const { h } of [agreement, onePass]) {
      expect(finals(h.events).map((e) => e.text).join(' ')).toBe(words.map((w) => w.w).join(' '));
      expectWellFormed(h.events);
    }
  });

  it('one-pass commit: the last word of a pass, final at once, does not end the caption line as a segment end', async () => {
    // A long word in the middle: a pass whose audio ends inside it hears w1 w2 whole, 0.5 s and more before its end.
    const words: RefWord[] = [
      { w: 'w1', s: 0.6, e: 0.98 },
      { w: 'w2', s: 1.0, e: 1.38 },
      { w: 'internationalisation', s: 1.4, e: 2.5 },
      { w: 'w4', s: 2.52, e: 2.9 },
      { w: 'w5', s: 2.92, e: 3.3 },
    ];
    const h = harness({ speech: (t) => t >= 0.55 && t < 3.32, hypothesis: (pass) => visible(words, pass), tuning: { commit: 'one-pass' } });
    await h.feed(6);
    const lines = finals(h.events).map((e) => e.text);
    expect(lines.join(' ')).toBe('w1 w2 internationalisation w4 w5');
    // Before: the pass that heard w1 w2 whole made w2 final as the end of its segment, and the line ended there.
    expect(lines[0]).not.toBe('w1 w2');
  });

  it('hands each pass the previous pass\'s token ids as a draft while the buffer start stays, none after a trim', async () => {
    const words = ref(0.6, 10, 0.4, ['We', 'open', 'now.', 'Next', 'item', 'is', 'the', 'budget', 'for', 'schools']);
    const h = harness({ speech: (t) => t >= 0.5 && t < 4.7, hypothesis: unstableTail(words) });
    await h.feed(7);
    let drafted = 0;
    let trimmed = 0;
    for (const p of h.passes.slice(1)) {
      const before = h.passes[p.pass - 2]!;
      const draft = h.engine.calls[p.pass - 1]!.options.draft;
      if (before.offset === p.offset) {
        const ids = unstableTail(words)(before).map((r) => Math.round(r.s * 100));
        expect(draft).toEqual(ids.length > 0 ? ids : undefined);
        if (ids.length > 0) drafted++;
      } else {
        expect(draft).toBeUndefined();
        trimmed++;
      }
      expect(p.draftTokens).toBe(draft?.length ?? 0);
    }
    expect(drafted).toBeGreaterThanOrEqual(3);
    expect(trimmed).toBeGreaterThanOrEqual(1);
  });

  it('caps the buffer: commits the pending words and trims when over bufferCapSeconds', async () => {
    // Passes never agree (every pass decodes different words), so only the cap and the pause commit.
    const h = harness({
      speech: (t) => t >= 0.5 && t < 12,
      tuning: { bufferCapSeconds: 4 },
      hypothesis: (pass) => {
        const v = visible(ref(0.55, 40, 0.3), pass);
        return v.map((r) => ({ ...r, w: `${r.w}p${pass.pass}` }));
      },
    });
    await h.feed(11);
    const all = finals(h.events);
    expect(all.length).toBeGreaterThanOrEqual(2);
    for (const p of h.passes) expect(p.bufferSeconds).toBeLessThan(4 + 1.3);
    expectWellFormed(h.events);
  });

  it('drops a segment decoded over the non-speech part of the buffer', async () => {
    const words = ref(1.5, 4);
    const h = harness({
      speech: (t) => t >= 1.4 && t < 3.2,
      hypothesis: (pass) => [[{ w: 'Subscribe', s: pass.offset + 0.0, e: pass.offset + 0.15 }], visible(words, pass)],
    });
    await h.feed(5);
    expect(finals(h.events).map((e) => e.text).join(' ')).toBe('w1 w2 w3 w4');
    expect(h.events.some((e) => e.text.includes('Subscribe'))).toBe(false);
  });

  it('cuts a repetition loop, and flags low-probability words as uncertain character ranges', async () => {
    const h = harness({
      speech: (t) => t >= 0.5 && t < 2.6,
      hypothesis: (pass) => {
        const loop = ref(0.6, 12, 0.15, ['hello', 'Gutteres', 'the', 'the', 'the', 'the', 'the', 'the', 'the', 'the', 'the', 'the']);
        loop[1]!.p = 0.1;
        return visible(loop, pass);
      },
    });
    await h.feed(4.5);
    const text = finals(h.events).map((e) => e.text).join(' ');
    expect(text).toBe('hello Gutteres the');
    const withUncertain = h.events.find((e) => e.text.startsWith('hello Gutteres'));
    expect(withUncertain?.uncertain).toEqual([[6, 14]]);
  });

  it('carries the committed text and the glossary into the prompt', async () => {
    const words = ref(0.6, 12, 0.3);
    const reports: SttRealtime[] = [];
    const h = harness({
      speech: (t) => t >= 0.5 && t < 4.4,
      glossary: [{ en: 'UNESCO', ru: 'ЮНЕСКО' }, { en: 'w3' }],
      hypothesis: unstableTail(words),
      onRealtime: (r) => reports.push(r),
    });
    await h.feed(6);
    const prompts = h.engine.calls.map((c) => c.options.initialPrompt ?? '');
    expect(prompts[0]).toBe('UNESCO, w3.');
    const last = prompts[prompts.length - 1]!;
    // Once the carried text says a term, the glossary part leaves it out.
    expect(last.startsWith('UNESCO. w1 w2 w3')).toBe(true);
    expect(prompts.every((p) => !p.includes('ЮНЕСКО'))).toBe(true);
    // The realtime report says how many glossary terms the latest prompt carried.
    expect(reports[0]?.glossaryTerms).toBe(2);
    expect(reports[reports.length - 1]?.glossaryTerms).toBe(1);
  });

  it('with auto language, carries the glossary terms of the language whisper last heard, all three before and for another', async () => {
    // Russian until 2.5 s, then Kazakh (no glossary column): each language its own segment, as whisper detects it.
    const words = ref(0.6, 12, 0.3).map((r) => ({ ...r, lang: r.s < 2.5 ? 'ru' : 'kk' }));
    const h = harness({
      speech: (t) => t >= 0.5 && t < 4.4,
      language: 'auto',
      glossary: [{ en: 'UNESCO', ru: 'ЮНЕСКО', ar: 'اليونسكو' }],
      hypothesis: (pass) => {
        const v = visible(words, pass);
        const ru = v.filter((r) => r.lang === 'ru');
        const kk = v.filter((r) => r.lang === 'kk');
        return [ru, kk];
      },
    });
    await h.feed(6);
    const prompts = h.engine.calls.map((c) => (c.options.initialPrompt ?? '').split('.')[0]!);
    expect(prompts[0]).toBe('UNESCO, ЮНЕСКО, اليونسكو');
    expect(prompts[1]).toBe('ЮНЕСКО');
    expect(prompts[prompts.length - 1]).toBe('UNESCO, ЮНЕСКО, اليونسكو');
    expect(prompts).toContain('ЮНЕСКО');
  });

  it('closes the utterance at a jump in the timeline and continues at the new position', async () => {
    const words = [...ref(0.6, 4), ...ref(20.6, 3, 0.4, ['x1', 'x2', 'x3'])];
    const h = harness({ speech: (t) => (t >= 0.5 && t < 2.5) || (t >= 20.5 && t < 21.8), hypothesis: unstableTail(words) });
    await h.feed(2.2);
    // 2.2 s .. 20 s were dropped upstream.
    h.stream.push(audio(20 * SAMPLE_RATE, 3 * SAMPLE_RATE, h.speech), 20 * SAMPLE_RATE);
    await h.stream.whenIdle();
    await h.stream.flush();
    const all = finals(h.events);
    expect(all.map((e) => e.text).join(' ')).toBe('w1 w2 w3 w4 x1 x2 x3');
    const x = all.find((e) => e.text.startsWith('x1'))!;
    expect(x.start).toBeCloseTo(20.6, 2);
    expectWellFormed(h.events);
  });

  it('resumes a restarted stream: ids and times continue, committed words are not emitted again', async () => {
    const words = ref(10.2, 6);
    const h = harness({
      speech: (t) => t >= 10.1 && t < 12.6,
      resume: { startSample: 10 * SAMPLE_RATE, committedUntil: 11.0, committedTail: 'w1 w2', nextSeq: 7 },
      hypothesis: unstableTail(words),
    });
    await h.feed(4);
    const all = finals(h.events);
    expect(all[0]!.id).toBe('s7');
    expect(all.map((e) => e.text).join(' ')).toBe('w3 w4 w5 w6');
    expect(all[0]!.start).toBeGreaterThanOrEqual(11);
  });

  it('flush commits the pending words at the end of input', async () => {
    const words = ref(0.6, 5);
    const h = harness({ speech: (t) => t >= 0.5, hypothesis: unstableTail(words) });
    await h.feed(2.7);
    await h.stream.flush();
    expect(finals(h.events).map((e) => e.text).join(' ')).toBe('w1 w2 w3 w4 w5');
    expect(h.passes[h.passes.length - 1]!.kind).toBe('final');
  });
});

describe('SttStream pacing on a machine that cannot keep up', () => {
  it('degrades in order, drops and counts what it cannot decode in time, commits nothing twice, and recovers', async () => {
    // 60 tone words (w1..w60, 0.55 s each, no pause: one utterance), decoded by their audio; every pass "takes"
    // passMs on a fake clock, during which that much live audio arrives. The machine gets slower pass by pass.
    const audioAll = makeToneAudio(Array.from({ length: 60 }, (_, i) => i + 1));
    let clock = 0;
    let passes = 0;
    let passMs = (): number => Math.min(3000, 800 + 400 * passes);
    let fed = 0;
    let feedLimit = 18 * SAMPLE_RATE;
    const feed = (seconds: number): void => {
      const n = Math.max(0, Math.min(feedLimit - fed, Math.round(seconds * SAMPLE_RATE)));
      if (n > 0) stream.push(audioAll.slice(fed, fed + n), fed);
      fed += n;
    };
    const tone = new ToneEngine();
    const events: CaptionEvent[] = [];
    const reports: SttRealtime[] = [];
    const lags: number[] = [];
    const promptsByLevel: Array<[string, string]> = [];
    const stream: SttStream = new SttStream({
      engine: {
        async transcribe(pcm, options) {
          promptsByLevel.push([reports[reports.length - 1]?.level ?? 'normal', options.initialPrompt ?? '']);
          passes++;
          const ms = passMs();
          clock += ms;
          feed(ms / 1000);
          return tone.transcribe(pcm);
        },
        async close() {},
      },
      vad: new EnergyVad(),
      language: 'en',
      task: 'transcribe',
      idPrefix: 's',
      now: () => clock,
      governor: { recoverAfterPasses: 2 },
      onCaption: (e) => events.push(e),
      onRealtime: (r) => reports.push(r),
      onPassEnd: (p) => lags.push(p.lagSeconds),
    });
    // Between passes, live audio goes on arriving (a quarter second at a time).
    while (fed < feedLimit) {
      clock += 250;
      feed(0.25);
      await stream.whenIdle();
    }

    const levels = [...new Set(reports.map((r) => r.level))];
    expect(levels).toEqual(['longer-step', 'shorter-buffer', 'dropping']);
    const slow = reports[reports.length - 1]!;
    expect(slow.verdict).toBe('behind');
    expect(slow.droppedSeconds).toBeGreaterThan(1);
    // Once dropping, every pass ends inside the bound (the first ones, before it acts, may not).
    const firstDrop = reports.findIndex((r) => r.droppedSeconds > 0);
    expect(Math.max(...lags.slice(firstDrop + 1))).toBeLessThanOrEqual(4.5);

    // The machine is free again: quick passes, audio in quarter seconds.
    passMs = () => 100;
    feedLimit = audioAll.length;
    while (fed < feedLimit) {
      clock += 250;
      feed(0.25);
      await stream.whenIdle();
    }
    await stream.flush();
    const fast = reports[reports.length - 1]!;
    expect(fast.level).toBe('normal');
    expect(fast.droppedSeconds).toBe(slow.droppedSeconds);
    // From the shorter-buffer level on the prompt carries at most 100 characters; back at normal, up to 200.
    const longest = (levels: string[]): number =>
      Math.max(0, ...promptsByLevel.filter(([l]) => levels.includes(l)).map(([, p]) => p.length));
    expect(longest(['shorter-buffer', 'dropping'])).toBeGreaterThan(0);
    expect(longest(['shorter-buffer', 'dropping'])).toBeLessThanOrEqual(100);
    expect(longest(['normal'])).toBeGreaterThan(100);

    // Nothing committed twice, in order; everything spoken after the recovery is there.
    const words = finals(events).flatMap((e) => e.text.trim().split(/\s+/)).map((w) => Number(w.slice(1)));
    for (let i = 1; i < words.length; i++) expect(words[i]!).toBeGreaterThan(words[i - 1]!);
    expect(words.slice(-20)).toEqual(Array.from({ length: 20 }, (_, i) => 41 + i));
    expectWellFormed(events);
  });
});
