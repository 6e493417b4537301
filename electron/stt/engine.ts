/**
 * The speech-to-text engine interface. The streaming policy, the worker and the benchmarks depend on this,
 * never on a binding, so a binding with built-in VAD or GPU support can replace smart-whisper later.
 */

/** Languages a source can be fixed to, or `auto` to detect per pass. */
export type SttLanguage = 'ar' | 'en' | 'ru' | 'auto';

/** Settings for one decoding pass over a buffer of audio. */
export interface TranscribeOptions {
  /** Fixed language or `auto` (the engine reports what it detected per segment). */
  language: SttLanguage;
  /** `translate` decodes into English. */
  task: 'transcribe' | 'translate';
  /** Prompt text: recent committed text and glossary terms. */
  initialPrompt?: string;
  /** Encoder context in frames (1 frame = 20 ms, 1500 = 30 s). 0 or undefined = full window. */
  audioCtx?: number;
  /** Cap on decoded tokens per segment (0 = no cap). */
  maxTokens?: number;
  /** CPU threads for this pass. */
  threads?: number;
  /**
   * The token ids this pass is expected to decode (the previous pass's {@link EngineSegment.ids} over the same
   * buffer start). An engine that can verifies them in one batch instead of decoding them one by one; the output is
   * the same as without (greedy decoding), only faster where the draft holds. Engines may ignore it.
   */
  draft?: readonly number[];
}

/** One decoded token with its probability and (where available) its times within the buffer. */
export interface EngineToken {
  text: string;
  /** Probability in [0, 1]. */
  p: number;
  /** Seconds from the start of the buffer. */
  start?: number;
  end?: number;
}

/** One segment of a pass, times relative to the start of the buffer passed in. */
export interface EngineSegment {
  text: string;
  /** Seconds from the start of the buffer. */
  start: number;
  end: number;
  /** Language the engine decoded in (detected when `auto`). */
  lang: string;
  tokens: EngineToken[];
  /** Every token id the engine decoded for this segment, in order, timestamps included (for a next pass's draft). */
  ids?: number[];
}

/** A loaded model that decodes 16 kHz mono Float32 PCM. One pass at a time. */
export interface SpeechEngine {
  /** Decodes the whole buffer (16 kHz mono, samples in [-1, 1]). */
  transcribe(pcm: Float32Array, options: TranscribeOptions): Promise<EngineSegment[]>;
  /** Frees the model. */
  close(): Promise<void>;
}

/** Sample rate every engine and the whole pipeline use. */
export const SAMPLE_RATE = 16_000;

/** The warm-up pass's prompt: over 32 tokens, so the decoder's batched path (a pass's prompt) is set up too. */
const WARM_UP_PROMPT =
  'Good morning. The session is open. The chair gives the floor to the first speaker on the list, ' +
  'and the interpreters are ready in the Arabic, English and Russian booths.';

/**
 * One pass over 1.1 s of silence with a prompt, before a stream starts: whisper.cpp's first passes pay for its
 * allocations and, with OpenBLAS, the F32 copies of the weights (several times a normal pass). That belongs to
 * loading, not to the first caption, its deadline or the pacing (the compute governor would start degraded).
 */
export async function warmUpEngine(engine: SpeechEngine, options: { language: SttLanguage; threads?: number }): Promise<void> {
  await engine.transcribe(new Float32Array(Math.round(1.1 * SAMPLE_RATE)), {
    language: options.language,
    task: 'transcribe',
    initialPrompt: WARM_UP_PROMPT,
    audioCtx: 128,
    maxTokens: 1,
    ...(options.threads !== undefined ? { threads: options.threads } : {}),
  });
}
