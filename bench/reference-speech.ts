/**
 * The speech the STT benchmarks feed and the engine wrapper they use (bench:stt and bench:e2e): sentences spoken
 * word by word with espeak-ng (so each word's times are known), and a wrapper that pays the real model's compute
 * on the real audio, then answers with the reference words heard so far, so the streaming policy sees text that
 * agrees. Random-weight models never agree with themselves; the figures are compute and plumbing, not accuracy.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseGlossaryCsv, type GlossaryTerm } from '../electron/common/glossary';
import { isSttCommitRule, STT_COMMIT_RULES, type SttCommitRule } from '../electron/common/stt-protocol';
import { SAMPLE_RATE, type EngineSegment, type SpeechEngine, type TranscribeOptions } from '../electron/stt/engine';
import type { SmartWhisperEngine } from '../electron/stt/smart-whisper-engine';
import { parseWav, resampleTo16k } from '../electron/stt/wav';
import {
  ensureGeneratedModel,
  GENERATED_FTYPES,
  GENERATED_PRESETS,
  type GeneratedFtype,
  type GeneratedPreset,
} from '../models/generate-ggml';

/** The sentences the fixture speaks, in turn. */
export const SENTENCES = [
  'Good morning and welcome to the second session of the committee on climate finance.',
  'The chair will now give the floor to the delegation of the Russian Federation.',
  'We have studied the report with great care and we support its main conclusions.',
  'However we believe that the figures for adaptation funding are still far too low.',
  'Developing countries need predictable support over the next ten years.',
  'Our delegation proposes a working group to review the methods of accounting.',
  'We also ask the secretariat to publish the data in all official languages.',
  'Let me thank the interpreters and the technical staff for their excellent work.',
  'The next speaker on my list is the representative of Egypt.',
  'I would like to return to the question of capacity building in small island states.',
  'Many of them face rising sea levels and cannot wait for another round of talks.',
  'We are ready to work with all partners in a spirit of compromise.',
];

/** A word of the fixture, timeline seconds. */
export interface RefWord {
  text: string;
  start: number;
  end: number;
}

/** The p-th percentile (nearest rank); NaN for no values. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Synthesises one word with espeak-ng at 16 kHz, trimmed of its leading and trailing silence. */
const wordCache = new Map<string, Float32Array>();
/** Distinct words synthesised so far. */
export function spokenWordCount(): number {
  return wordCache.size;
}

function speakWord(word: string): Float32Array {
  const hit = wordCache.get(word);
  if (hit) return hit;
  const wav = execFileSync('espeak-ng', ['-v', 'en', '-s', '165', '--stdout', word], { maxBuffer: 16 * 1024 * 1024 });
  const parsed = parseWav(new Uint8Array(wav.buffer, wav.byteOffset, wav.byteLength));
  if (!parsed.ok) throw new Error(`espeak-ng output for "${word}": ${parsed.error.message}`);
  const pcm = resampleTo16k(parsed.value.samples, parsed.value.sampleRate);
  let a = 0;
  let b = pcm.length;
  while (a < b && Math.abs(pcm[a]!) < 0.01) a++;
  while (b > a && Math.abs(pcm[b - 1]!) < 0.01) b--;
  const trimmed = pcm.slice(a, b);
  wordCache.set(word, trimmed);
  return trimmed;
}

/** The speech fixture: sentences spoken word by word, with short gaps between words and a pause after each sentence. */
export function buildFixture(seconds: number): { pcm: Float32Array; words: RefWord[] } {
  const parts: Float32Array[] = [new Float32Array(SAMPLE_RATE)];
  const words: RefWord[] = [];
  let at = SAMPLE_RATE;
  for (let s = 0; at < seconds * SAMPLE_RATE; s++) {
    const sentence = SENTENCES[s % SENTENCES.length]!;
    for (const raw of sentence.split(' ')) {
      const text = raw.replace(/[.,]/g, '').toLowerCase();
      const audio = speakWord(text);
      words.push({ text, start: at / SAMPLE_RATE, end: (at + audio.length) / SAMPLE_RATE });
      parts.push(audio, new Float32Array(Math.round(0.06 * SAMPLE_RATE)));
      at += audio.length + Math.round(0.06 * SAMPLE_RATE);
    }
    const pause = Math.round(0.9 * SAMPLE_RATE);
    parts.push(new Float32Array(pause));
    at += pause;
  }
  parts.push(new Float32Array(3 * SAMPLE_RATE));
  const pcm = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    pcm.set(p, o);
    o += p.length;
  }
  return { pcm, words };
}

/** Text tokens per English word whisper's tokenizer gives on such speech (about 1.3), rounded up per pass. */
const TOKENS_PER_WORD = 1.3;

/**
 * The real engine, answering with the reference words: each pass runs whisper on the buffer (the real cost),
 * then returns the words inside the buffer whose audio the feeder has already delivered.
 *
 * The cost is made realistic: the generated model decodes until its cap (it is generated with a fixed token count
 * far above any pass: see `benchModelPath`), and the cap of each pass is what whisper would decode there, the
 * tokens of the reference words inside the buffer (about 1.3 per word), never more than the stream asked for. A pass over a buffer trimmed to the new words decodes few tokens; one over a long buffer, many.
 *
 * The draft is made realistic the same way. When the stream hands over a draft (the previous pass over the same
 * buffer start), the engine gets the previous pass's token ids for the words that pass heard whole (the tokens a
 * real model says again; the tail it heard cut off may change), and the engine is told to take them
 * (`TARJUMAN_WHISPER_DRAFT_FORCE`): the cost is that of a pass whose draft holds up to the new audio.
 */
export class ReferenceWordsEngine implements SpeechEngine {
  /** Timeline seconds of the buffer of the pass about to run (set from the stream's onPassStart). */
  bufferOffset = 0;
  passes = 0;
  passMs: number[] = [];
  /** Text tokens each pass was allowed to decode. */
  passTokens: number[] = [];
  /** Draft tokens each pass was handed, and how many the engine took from its draft batch instead of decoding. */
  passDraft: number[] = [];
  passAccepted: number[] = [];
  private previous: { from: number; ids: number[]; heardTokens: number } | null = null;

  constructor(
    private readonly real: SpeechEngine,
    private readonly words: readonly RefWord[],
    private readonly heardSeconds: () => number,
  ) {
    // The generated model's greedy output follows its prompt, not the audio: the engine takes the draft's tokens
    // (read once, at the first pass with a draft), so each pass accepts what the class comment says.
    process.env.TARJUMAN_WHISPER_DRAFT_FORCE = '1';
  }

  async transcribe(pcm: Float32Array, options: TranscribeOptions): Promise<EngineSegment[]> {
    const from = this.bufferOffset;
    const to = Math.min(from + pcm.length / SAMPLE_RATE, this.heardSeconds());
    const inBuffer = this.words.filter((w) => w.end > from && w.start < to).length;
    const tokens = Math.ceil(inBuffer * TOKENS_PER_WORD);
    const maxTokens = Math.max(1, Math.min(options.maxTokens ?? tokens, tokens));
    this.passTokens.push(maxTokens);
    const previous = this.previous;
    const draft = options.draft && previous?.from === from ? previous.ids.slice(0, previous.heardTokens) : undefined;
    const started = performance.now();
    const passOptions: TranscribeOptions = { ...options, maxTokens };
    delete passOptions.draft;
    if (draft) passOptions.draft = draft;
    const segments = await this.real.transcribe(pcm, passOptions);
    this.passMs.push(performance.now() - started);
    this.passes++;
    this.passDraft.push(draft?.length ?? 0);
    this.passAccepted.push('lastPass' in this.real ? (this.real as SmartWhisperEngine).lastPass.draftAccepted : 0);
    const ids = segments.flatMap((s) => s.ids ?? []);
    const heard = this.words.filter((w) => w.start >= from - 0.02 && w.end <= to);
    this.previous = { from, ids, heardTokens: Math.ceil(heard.length * TOKENS_PER_WORD) };
    if (heard.length === 0) return [];
    return [
      {
        ids,
        text: heard.map((w) => ` ${w.text}`).join(''),
        start: heard[0]!.start - from,
        end: heard[heard.length - 1]!.end - from,
        lang: 'en',
        tokens: heard.map((w) => ({ text: ` ${w.text}`, p: 0.95, start: w.start - from, end: w.end - from })),
      },
    ];
  }

  close(): Promise<void> {
    return this.real.close();
  }
}

/** How much the drafts saved over the passes of `engines`, for a benchmark's report. */
export function draftSummary(engines: readonly ReferenceWordsEngine[]): string {
  const drafted = engines.reduce((n, e) => n + e.passDraft.filter((d) => d > 0).length, 0);
  const passes = engines.reduce((n, e) => n + e.passes, 0);
  const accepted = engines.reduce((n, e) => n + e.passAccepted.reduce((a, b) => a + b, 0), 0);
  const tokens = engines.reduce((n, e) => n + e.passTokens.reduce((a, b) => a + b, 0), 0);
  return `a draft on ${drafted}/${passes} passes, ${accepted} of ${tokens} text tokens taken from draft batches`;
}

/** A benchmark model: a generated preset and weight type, e.g. `small`, `small-q8_0`, `large-v3-turbo-q5_0`. */
export interface BenchModel {
  name: string;
  preset: GeneratedPreset;
  ftype: GeneratedFtype;
}

/** Parses `--model` (`<preset>` or `<preset>-<ftype>`). */
export function parseBenchModel(name: string): BenchModel {
  for (const preset of [...GENERATED_PRESETS].sort((a, b) => b.length - a.length)) {
    if (name === preset) return { name, preset, ftype: 'f16' };
    const ftype = name.startsWith(`${preset}-`) ? name.slice(preset.length + 1) : '';
    if ((GENERATED_FTYPES as readonly string[]).includes(ftype)) return { name, preset, ftype: ftype as GeneratedFtype };
  }
  throw new Error(`--model must be <preset>[-<ftype>] with a preset of ${GENERATED_PRESETS.join(', ')} and a type of ${GENERATED_FTYPES.join(', ')}`);
}

/** Parses `--commit` (the stream's commit rule, `agreement` by default). */
export function parseCommitRule(value: string | undefined): SttCommitRule {
  const rule = value ?? 'agreement';
  if (!isSttCommitRule(rule)) throw new Error(`--commit must be one of ${STT_COMMIT_RULES.join(', ')} (got ${rule})`);
  return rule;
}

/** The benchmarks' last-line field for a commit rule other than the default (empty for `agreement`). */
export function commitField(rule: SttCommitRule): string {
  return rule === 'agreement' ? '' : ` commit=${rule}`;
}

/**
 * The event glossary of a benchmark run (`--glossary FILE`, the console's glossary CSV): every pass then carries its
 * terms in the prompt, as a stream does at an event, and pays for them. None without the option.
 */
export function loadBenchGlossary(file: string | undefined): GlossaryTerm[] {
  if (file === undefined) return [];
  const parsed = parseGlossaryCsv(readFileSync(file, 'utf8'));
  if (!parsed.ok) throw new Error(`--glossary ${file}: ${parsed.error.message}`);
  return parsed.value;
}

/** The benchmarks' last-line field for a glossary (empty without one). */
export function glossaryField(terms: readonly GlossaryTerm[]): string {
  return terms.length === 0 ? '' : ` glossary=${terms.length}`;
}

/** Text tokens the benchmarks' generated models would decode unprompted: far above any pass, so the cap decides. */
export const BENCH_FIXED_TOKENS = 400;

/** The generated model file of a benchmark model (made on first use). */
export function benchModelPath(model: BenchModel): Promise<string> {
  return ensureGeneratedModel(model.preset, { ftype: model.ftype, fixedTokens: BENCH_FIXED_TOKENS });
}
