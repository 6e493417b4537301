import { describe, expect, it } from 'vitest';
import { encodeWav16, parseWav, resampleTo16k, WavStreamDecoder } from './wav';

function wavBytes(format: number, channels: number, rate: number, bits: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(44 + data.length);
  const v = new DataView(out.buffer);
  const put = (at: number, s: string) => [...s].forEach((c, i) => (out[at + i] = c.charCodeAt(0)));
  put(0, 'RIFF');
  v.setUint32(4, 36 + data.length, true);
  put(8, 'WAVE');
  put(12, 'fmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, format, true);
  v.setUint16(22, channels, true);
  v.setUint32(24, rate, true);
  v.setUint32(28, (rate * channels * bits) / 8, true);
  v.setUint16(32, (channels * bits) / 8, true);
  v.setUint16(34, bits, true);
  put(36, 'data');
  v.setUint32(40, data.length, true);
  out.set(data, 44);
  return out;
}

describe('WAV reading', () => {
  it('round-trips 16-bit mono', () => {
    const pcm = Float32Array.from([0, 0.5, -0.5, 0.25]);
    const r = parseWav(encodeWav16(pcm));
    expect(r.ok && r.value.sampleRate).toBe(16000);
    expect(r.ok && [...r.value.samples].map((x) => Math.round(x * 100) / 100)).toEqual([0, 0.5, -0.5, 0.25]);
  });

  it('mixes stereo float to mono', () => {
    const f = new Float32Array([0.5, -0.5, 1, 0]);
    const r = parseWav(wavBytes(3, 2, 48000, 32, new Uint8Array(f.buffer)));
    expect(r.ok && [...r.value.samples]).toEqual([0, 0.5]);
    expect(r.ok && r.value.channels).toBe(2);
  });

  it('reads 24-bit', () => {
    const r = parseWav(wavBytes(1, 1, 16000, 24, Uint8Array.from([0x00, 0x00, 0x40, 0x00, 0x00, 0xc0])));
    expect(r.ok && [...r.value.samples]).toEqual([0.5, -0.5]);
  });

  it('refuses what it cannot read with a clear code', () => {
    expect(parseWav(Uint8Array.from([1, 2, 3]))).toMatchObject({ ok: false, error: { code: 'NOT_WAV' } });
    const adpcm = parseWav(wavBytes(2, 1, 16000, 4, new Uint8Array(8)));
    expect(adpcm).toMatchObject({ ok: false, error: { code: 'UNSUPPORTED_WAV' } });
    expect(!adpcm.ok && adpcm.error.message).toMatch(/PCM 16-bit/);
  });

  it('resamples 44.1 kHz to 16 kHz keeping a tone at its frequency and level', () => {
    const from = 44100;
    const tone = new Float32Array(from).map((_, i) => 0.5 * Math.sin((2 * Math.PI * 1000 * i) / from));
    const out = resampleTo16k(tone, from);
    expect(out.length).toBe(16000);
    let crossings = 0;
    for (let i = 1001; i < 15000; i++) if (out[i - 1]! < 0 !== out[i]! < 0) crossings++;
    expect(crossings / 2 / (14000 / 16000)).toBeCloseTo(1000, -1);
    const peak = Math.max(...out.subarray(1000, 15000));
    expect(peak).toBeGreaterThan(0.48);
    expect(peak).toBeLessThan(0.52);
  });

  it('removes content above 8 kHz when downsampling', () => {
    const from = 48000;
    const tone = new Float32Array(from).map((_, i) => 0.5 * Math.sin((2 * Math.PI * 12000 * i) / from));
    const out = resampleTo16k(tone, from);
    const rms = Math.sqrt(out.subarray(1000, 15000).reduce((s, x) => s + x * x, 0) / 14000);
    expect(rms).toBeLessThan(0.02);
  });

  it('decodes a WAV stream piece by piece to the same samples as the whole file', () => {
    const stereo = new Int16Array(2 * 3001).map((_, i) => Math.round(10000 * Math.sin(i / 5)));
    const whole = wavBytes(1, 2, 16000, 16, new Uint8Array(stereo.buffer));
    const expected = parseWav(whole);
    const decoder = new WavStreamDecoder();
    const got: number[] = [];
    let at = 0;
    for (let size = 1; at < whole.length; size = (size * 7 + 3) % 97) {
      const r = decoder.push(whole.subarray(at, at + size));
      expect(r.ok).toBe(true);
      if (r.ok) got.push(...r.value);
      at += size;
      if (at >= 44) expect(decoder.format).toEqual({ sampleRate: 16000, channels: 2 });
    }
    expect(decoder.end().ok).toBe(true);
    expect(expected.ok && got).toEqual(expected.ok && [...expected.value.samples]);
  });

  it('reads a stream whose data chunk announces size 0 to its end, and refuses a stream that is not WAV at once', () => {
    const bytes = encodeWav16(Float32Array.from([0.5, -0.5, 0.25]));
    new DataView(bytes.buffer).setUint32(40, 0, true);
    const decoder = new WavStreamDecoder();
    const r1 = decoder.push(bytes.subarray(0, 46));
    const r2 = decoder.push(bytes.subarray(46));
    expect([...(r1.ok ? r1.value : []), ...(r2.ok ? r2.value : [])].map((x) => Math.round(x * 100) / 100)).toEqual([0.5, -0.5, 0.25]);
    expect(new WavStreamDecoder().push(new TextEncoder().encode('ID3 an mp3'))).toMatchObject({ ok: false, error: { code: 'NOT_WAV' } });
    const cut = new WavStreamDecoder();
    expect(cut.push(bytes.subarray(0, 30)).ok).toBe(true);
    expect(cut.end()).toMatchObject({ ok: false, error: { code: 'TRUNCATED_WAV' } });
  });
});
