/**
 * The {@link SpeechEngine} on whisper.cpp through smart-whisper's binding (built by scripts/build-whisper.mjs with
 * AVX2/FMA/F16C where the CPU has them). One model stays loaded; each pass runs on a libuv worker thread, so the
 * event loop stays free while whisper decodes. The only file that loads the native addon.
 */
import { createRequire } from 'node:module';
import os from 'node:os';
import { validateModelFile, type ModelInfo } from '../../models/validate';
import { locateWhisperAddon, type AddonBuildInfo } from './cpu-features';
import { SAMPLE_RATE, type EngineSegment, type EngineToken, type SpeechEngine, type TranscribeOptions } from './engine';

/** An engine failure with a stable code (`MODEL_*` from models/validate, `ENGINE_*` here). */
export class SpeechEngineError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'SpeechEngineError';
  }
}

/** The smart-whisper engine, with what it runs on. */
export interface SmartWhisperEngine extends SpeechEngine {
  /** whisper.cpp's system info string, e.g. `AVX = 1 | AVX2 = 1 | ... | F16C = 1 | ...`. */
  readonly systemInfo: string;
  /** Which build is loaded (`avx2` or `portable`) and its compiler flags. */
  readonly build: AddonBuildInfo;
  /** The validated model file. */
  readonly model: ModelInfo;
  /** Milliseconds the model took to load. */
  readonly loadMs: number;
  /** The last finished pass: tokens of its draft, and how many of them came from the draft batch, not a decode. */
  readonly lastPass: { draftTokens: number; draftAccepted: number };
}

/** Options of {@link loadSmartWhisperEngine}. */
export interface SmartWhisperOptions {
  /** Default CPU threads per pass (a pass's `threads` option wins). Default: min(4, available cores). */
  threads?: number;
}

interface RawToken {
  text: string;
  id: number;
  p: number;
  from?: number;
  to?: number;
}
interface RawSegment {
  from: number;
  to: number;
  text: string;
  lang?: string;
  tokens?: RawToken[];
}
interface RawModel {
  readonly handle: unknown;
  free(): Promise<void>;
}
/** The addon's surface (smart-whisper's binding plus Tarjuman's systemInfo/setLogging). */
interface WhisperAddon {
  WhisperModel: { load(file: string, gpu: boolean): Promise<RawModel> };
  transcribe(
    handle: unknown,
    pcm: Float32Array,
    params: Record<string, unknown>,
    finish: (result: (RawSegment[] & { draftAccepted?: number }) | Error) => void,
    progress: (segment: RawSegment) => void,
  ): void;
  systemInfo(): string;
  setLogging(enabled: boolean): void;
}

let addon: { module: WhisperAddon; build: AddonBuildInfo } | undefined;

function loadAddon(): { module: WhisperAddon; build: AddonBuildInfo } {
  if (addon) return addon;
  const located = locateWhisperAddon();
  if (!located.ok) throw new SpeechEngineError(located.error.code, located.error.message);
  const module = createRequire(import.meta.url)(located.value.binary) as WhisperAddon;
  module.setLogging(process.env.TARJUMAN_WHISPER_LOG === '1');
  addon = { module, build: located.value.info };
  return addon;
}

/** whisper.cpp refuses buffers under one second; shorter ones are padded with silence (times stay clamped). */
const MIN_SAMPLES = Math.ceil(SAMPLE_RATE * 1.05);

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

/**
 * Loads a whisper ggml model: validates the file first (a bad file is refused with its `MODEL_*` code and never
 * reaches whisper.cpp), checks the CPU can run the built addon, then loads the model once.
 * Throws {@link SpeechEngineError}.
 */
export async function loadSmartWhisperEngine(
  modelPath: string,
  options: SmartWhisperOptions = {},
): Promise<SmartWhisperEngine> {
  const checked = await validateModelFile(modelPath);
  if (!checked.ok) throw new SpeechEngineError(checked.error.code, checked.error.message);
  const model = checked.value;
  const { module, build } = loadAddon();
  const started = performance.now();
  let raw: RawModel;
  try {
    raw = await module.WhisperModel.load(modelPath, false);
  } catch (error) {
    throw new SpeechEngineError('ENGINE_LOAD_FAILED', `whisper.cpp could not load ${modelPath}: ${String(error)}`);
  }
  const loadMs = performance.now() - started;
  const defaultThreads = options.threads ?? Math.max(1, Math.min(4, os.availableParallelism()));
  // Special tokens (timestamps, end-of-text, language) have ids from end-of-text up.
  const eot = model.multilingual ? 50257 : 50256;
  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;
  const lastPass = { draftTokens: 0, draftAccepted: 0 };

  const pass = (pcm: Float32Array, opts: TranscribeOptions): Promise<EngineSegment[]> =>
    new Promise((resolve, reject) => {
      const duration = pcm.length / SAMPLE_RATE;
      let input = pcm;
      if (pcm.length < MIN_SAMPLES) {
        input = new Float32Array(MIN_SAMPLES);
        input.set(pcm);
      }
      const params: Record<string, unknown> = {
        format: 'detail',
        strategy: 0,
        n_threads: opts.threads ?? defaultThreads,
        language: opts.language,
        translate: opts.task === 'translate',
        audio_ctx: opts.audioCtx ?? 0,
        // whisper.cpp stops a segment one token after max_tokens (its count includes the first timestamp).
        max_tokens: opts.maxTokens ? Math.max(1, opts.maxTokens - 1) : 0,
        token_timestamps: true,
        // Each pass is independent: the caller passes the context it wants as the prompt.
        no_context: true,
        // No temperature fallback: a pass costs one decode, so latency stays predictable; the streaming
        // guards deal with loops and low-probability output instead.
        temperature: 0,
        temperature_inc: 0,
        print_progress: false,
        print_realtime: false,
        print_timestamps: false,
        print_special: false,
      };
      if (opts.initialPrompt) params.initial_prompt = opts.initialPrompt;
      if (opts.draft && opts.draft.length > 0) params.tarjuman_draft = [...opts.draft];
      module.transcribe(
        raw.handle,
        input,
        params,
        (result) => {
          if (result instanceof Error) {
            reject(new SpeechEngineError('ENGINE_PASS_FAILED', result.message));
            return;
          }
          lastPass.draftTokens = opts.draft?.length ?? 0;
          lastPass.draftAccepted = result.draftAccepted ?? 0;
          resolve(result.map((s) => toSegment(s, duration, opts, eot)));
        },
        () => undefined,
      );
    });

  return {
    systemInfo: module.systemInfo(),
    build,
    model,
    loadMs,
    lastPass,
    transcribe(pcm, opts) {
      if (closed) return Promise.reject(new SpeechEngineError('ENGINE_CLOSED', 'The engine is closed.'));
      const run = queue.then(
        () => pass(pcm, opts),
        () => pass(pcm, opts),
      );
      queue = run.catch(() => undefined);
      return run;
    },
    async close() {
      if (closed) return;
      closed = true;
      await queue;
      await raw.free();
    },
  };
}

function toSegment(s: RawSegment, duration: number, opts: TranscribeOptions, eot: number): EngineSegment {
  const start = clamp(s.from / 1000, 0, duration);
  const end = clamp(s.to / 1000, start, duration);
  const tokens: EngineToken[] = [];
  const ids: number[] = [];
  for (const t of s.tokens ?? []) {
    ids.push(t.id);
    if (t.id >= eot) continue;
    const token: EngineToken = { text: t.text, p: clamp(t.p, 0, 1) };
    if (t.from !== undefined && t.to !== undefined) {
      token.start = clamp(t.from / 1000, start, end);
      token.end = clamp(t.to / 1000, token.start, end);
    }
    tokens.push(token);
  }
  const lang = s.lang && s.lang.length > 0 ? s.lang : opts.language === 'auto' ? 'unknown' : opts.language;
  return { text: s.text, start, end, lang, tokens, ids };
}
