import { describe, expect, it } from 'vitest';
import { SAMPLE_RATE, warmUpEngine, type SpeechEngine, type TranscribeOptions } from './engine';
import { estimateTokens } from './prompt';

describe('warmUpEngine', () => {
  it("decodes 1.1 s of silence with a prompt long enough for the decoder's batched path, one token", async () => {
    const calls: Array<{ pcm: Float32Array; options: TranscribeOptions }> = [];
    const engine: SpeechEngine = {
      async transcribe(pcm, options) {
        calls.push({ pcm, options });
        return [];
      },
      async close() {},
    };
    await warmUpEngine(engine, { language: 'ar', threads: 2 });
    expect(calls).toHaveLength(1);
    const [{ pcm, options }] = calls as [(typeof calls)[number]];
    expect(pcm.length).toBe(Math.round(1.1 * SAMPLE_RATE));
    expect(pcm.every((x) => x === 0)).toBe(true);
    expect(options).toMatchObject({ language: 'ar', task: 'transcribe', maxTokens: 1, threads: 2 });
    // whisper.cpp's batched (BLAS) path takes batches of 32 tokens and more.
    expect(estimateTokens(options.initialPrompt ?? '')).toBeGreaterThanOrEqual(40);
  });
});
