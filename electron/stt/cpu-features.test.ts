import { describe, expect, it } from 'vitest';
import { cpuFlags, locateWhisperAddon } from './cpu-features';

describe('locateWhisperAddon', () => {
  it('finds the build postinstall made for this CPU', () => {
    const located = locateWhisperAddon();
    expect(located.ok).toBe(true);
    if (!located.ok) return;
    const fast = ['avx', 'avx2', 'fma', 'f16c'].every((f) => cpuFlags()?.has(f));
    expect(located.value.info.variant).toBe(fast ? 'avx2' : 'portable');
    expect(located.value.binary).toMatch(/tarjuman_whisper\.node$/);
  });

  it('never hands an AVX2 build to a CPU without AVX2: portable copy or a clear refusal', () => {
    const oldCpu = new Set(['sse3', 'ssse3', 'sse4_1']);
    const located = locateWhisperAddon(oldCpu);
    if (located.ok) {
      expect(located.value.info.requiredFeatures).toEqual([]);
    } else {
      expect(located.error.code).toBe('ENGINE_CPU_UNSUPPORTED');
      expect(located.error.message).toContain('--portable');
    }
  });
});
