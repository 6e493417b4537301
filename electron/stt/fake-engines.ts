/**
 * Engines that are not whisper, for tests and the supervisor's test modes: a scripted one (hypotheses decided
 * by the test), a tone decoder (sine tones in, words out, so a test can make audio whose "transcript" is
 * known and stable across restarts), and one whose passes never finish.
 */
import { SAMPLE_RATE, type EngineSegment, type SpeechEngine, type TranscribeOptions } from './engine';

/** One call a `ScriptedEngine` received. */
export interface ScriptedCall {
  /** 1-based pass number. */
  pass: number;
  /** Seconds of audio passed in (including padding). */
  seconds: number;
  options: TranscribeOptions;
}

/** An engine whose result per pass is decided by a function of the call (deterministic hypotheses). */
export class ScriptedEngine implements SpeechEngine {
  readonly calls: ScriptedCall[] = [];
  constructor(private readonly script: (call: ScriptedCall, pcm: Float32Array) => EngineSegment[] | Promise<EngineSegment[]>) {}
  async transcribe(pcm: Float32Array, options: TranscribeOptions): Promise<EngineSegment[]> {
    const call = { pass: this.calls.length + 1, seconds: pcm.length / SAMPLE_RATE, options };
    this.calls.push(call);
    return this.script(call, pcm);
  }
  async close(): Promise<void> {}
}

/** Frequency of word `w<k>` in tone audio. */
export function toneFrequency(k: number): number {
  return 300 + 100 * k;
}

/**
 * Audio of tone words: each word index becomes a sine of `toneFrequency(k)` Hz lasting `wordSeconds`, followed
 * by `gapSeconds` of silence. `null` in the list is `gapSeconds * 4` of silence (a pause).
 */
export function makeToneAudio(words: ReadonlyArray<number | null>, wordSeconds = 0.4, gapSeconds = 0.15, amplitude = 0.3): Float32Array {
  const parts: Float32Array[] = [];
  for (const k of words) {
    if (k === null) {
      parts.push(new Float32Array(Math.round(gapSeconds * 4 * SAMPLE_RATE)));
      continue;
    }
    const n = Math.round(wordSeconds * SAMPLE_RATE);
    const tone = new Float32Array(n);
    const f = toneFrequency(k);
    for (let i = 0; i < n; i++) tone[i] = amplitude * Math.sin((2 * Math.PI * f * i) / SAMPLE_RATE);
    parts.push(tone, new Float32Array(Math.round(gapSeconds * SAMPLE_RATE)));
  }
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Decodes tone audio made by `makeToneAudio`: every run of sound becomes the word `w<k>` (k from its
 * frequency, by zero crossings), with its times; a run cut by the end of the buffer is left out (it is
 * still being "spoken"). One segment per pass.
 */
export class ToneEngine implements SpeechEngine {
  passes = 0;
  /** `lang`: what it reports when a pass asks for `auto` (a fixed language is reported as whisper does: as asked). */
  constructor(private readonly lang = 'en') {}
  async transcribe(pcm: Float32Array, options?: TranscribeOptions): Promise<EngineSegment[]> {
    this.passes++;
    const lang = options && options.language !== 'auto' ? options.language : this.lang;
    const win = Math.round(0.02 * SAMPLE_RATE);
    const runs: Array<[number, number]> = [];
    let runStart = -1;
    for (let w = 0; w + win <= pcm.length; w += win) {
      let sum = 0;
      for (let i = w; i < w + win; i++) sum += pcm[i]! * pcm[i]!;
      const loud = Math.sqrt(sum / win) > 0.02;
      if (loud && runStart < 0) runStart = w;
      if (!loud && runStart >= 0) {
        runs.push([runStart, w]);
        runStart = -1;
      }
    }
    const tokens = runs
      .filter(([s, e]) => e - s >= 0.1 * SAMPLE_RATE)
      .map(([s, e]) => {
        // Half periods between the first and the last zero crossing (the run's edges hold some silence).
        let crossings = 0;
        let first = -1;
        let last = -1;
        for (let i = s + 1; i < e; i++) {
          // A crossing of the tone, not of the tiny ringing a band-limited capture path leaves next to it.
          const audible = Math.max(Math.abs(pcm[i - 1]!), Math.abs(pcm[i]!)) > 1e-3;
          if (audible && pcm[i - 1]! !== 0 && pcm[i]! !== 0 && (pcm[i - 1]! < 0) !== (pcm[i]! < 0)) {
            crossings++;
            if (first < 0) first = i;
            last = i;
          }
        }
        const freq = last > first ? (crossings - 1) / 2 / ((last - first) / SAMPLE_RATE) : 0;
        const k = Math.round((freq - 300) / 100);
        return { text: ` w${k}`, p: 0.9, start: s / SAMPLE_RATE, end: e / SAMPLE_RATE };
      });
    if (tokens.length === 0) return [];
    return [
      {
        text: tokens.map((t) => t.text).join(''),
        start: tokens[0]!.start,
        end: tokens[tokens.length - 1]!.end,
        lang,
        tokens,
      },
    ];
  }
  async close(): Promise<void> {}
}

/** An engine whose passes never finish (a hung native call), for the supervisor's deadline. */
export class HangingEngine implements SpeechEngine {
  transcribe(): Promise<EngineSegment[]> {
    return new Promise(() => {});
  }
  async close(): Promise<void> {}
}
