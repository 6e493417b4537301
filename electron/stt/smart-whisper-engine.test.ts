import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureGeneratedModel } from '../../models/generate-ggml';
import { cpuFlags } from './cpu-features';
import { SAMPLE_RATE } from './engine';
import { loadSmartWhisperEngine, SpeechEngineError, type SmartWhisperEngine } from './smart-whisper-engine';

const artifacts = path.resolve(import.meta.dirname, '../../test-artifacts/stt-engine');

/** Speech from espeak-ng, resampled by sox to 16 kHz mono 16-bit, returned as Float32 samples. */
function speech(lang: string, text: string): Float32Array {
  mkdirSync(artifacts, { recursive: true });
  const raw = path.join(artifacts, `${lang}-raw.wav`);
  const wav = path.join(artifacts, `${lang}.wav`);
  execFileSync('espeak-ng', ['-v', lang, '-w', raw, text]);
  execFileSync('sox', [raw, '-r', '16000', '-c', '1', '-b', '16', wav]);
  const bytes = readFileSync(wav);
  let at = 12;
  while (bytes.toString('ascii', at, at + 4) !== 'data') at += 8 + bytes.readUInt32LE(at + 4);
  const n = bytes.readUInt32LE(at + 4) / 2;
  return Float32Array.from({ length: n }, (_, i) => bytes.readInt16LE(at + 8 + 2 * i) / 32768);
}

describe('smart-whisper engine on a generated model', () => {
  let engine: SmartWhisperEngine;
  let english: Float32Array;

  beforeAll(async () => {
    engine = await loadSmartWhisperEngine(await ensureGeneratedModel('test'), { threads: 2 });
    english = speech('en', 'The committee on budget and finance will now present its report to the conference.');
  });
  afterAll(async () => {
    await engine?.close();
  });

  it('runs the build that matches this CPU and says so', () => {
    const flags = cpuFlags();
    const fastCpu = ['avx', 'avx2', 'fma', 'f16c'].every((f) => flags?.has(f));
    expect(engine.build.variant).toBe(fastCpu ? 'avx2' : 'portable');
    expect(engine.systemInfo).toContain(`AVX2 = ${fastCpu ? 1 : 0}`);
    expect(engine.systemInfo).toContain(`F16C = ${fastCpu ? 1 : 0}`);
    expect(engine.model.hparams.nTextLayer).toBeGreaterThanOrEqual(3);
    // OpenBLAS takes the encoder's matrix products whenever the build found it (.ci/run installs it).
    expect(engine.systemInfo).toContain(`BLAS = ${engine.build.blas ? 1 : 0}`);
    if (existsSync('/usr/lib/x86_64-linux-gnu/openblas-openmp/libopenblas.a') && process.arch === 'x64') {
      expect(engine.build.blas).toMatch(/OpenBLAS/);
    }
  });

  it('reuses one whisper state between passes without carrying anything from one pass to the next', async () => {
    const clip = english.subarray(0, 3 * SAMPLE_RATE);
    const plain = { language: 'en', task: 'transcribe', audioCtx: 200 } as const;
    const first = await engine.transcribe(clip, plain);
    // Passes with a prompt, another language, translation and the full window leave their marks in a state.
    await engine.transcribe(clip, { ...plain, initialPrompt: 'UNOCT, ECOSOC' });
    await engine.transcribe(english, { language: 'auto', task: 'translate', audioCtx: 0 });
    const again = await engine.transcribe(clip, plain);
    expect(again).toEqual(first);
  });

  it('transcribes a speech clip with sane times, tokens and the fixed language', async () => {
    const duration = english.length / SAMPLE_RATE;
    const segments = await engine.transcribe(english, { language: 'en', task: 'transcribe' });
    expect(segments.length).toBeGreaterThan(0);
    for (const s of segments) {
      expect(s.lang).toBe('en');
      expect(s.text.trim().length).toBeGreaterThan(0);
      expect(0 <= s.start && s.start <= s.end && s.end <= duration).toBe(true);
      // The generated model decodes 8 text tokens per unprompted pass; special tokens are not reported.
      expect(s.tokens.length).toBe(8);
      for (const t of s.tokens) {
        expect(t.p).toBeGreaterThanOrEqual(0);
        expect(t.p).toBeLessThanOrEqual(1);
        expect(t.text).not.toMatch(/^\[_/);
        expect(t.start! >= s.start && t.start! <= t.end! && t.end! <= s.end).toBe(true);
      }
    }
  });

  it('auto-detects and reports the language, translates, shrinks audio_ctx and caps tokens', async () => {
    const clip = english.subarray(0, 3 * SAMPLE_RATE);
    const auto = await engine.transcribe(clip, { language: 'auto', task: 'transcribe', audioCtx: 170 });
    expect(auto.length).toBeGreaterThan(0);
    expect(auto[0]!.lang).toMatch(/^[a-z]{2,3}$/);
    const translated = await engine.transcribe(clip, { language: 'ru', task: 'translate', audioCtx: 170 });
    expect(translated[0]!.lang).toBe('ru');
    const capped = await engine.transcribe(clip, { language: 'en', task: 'transcribe', maxTokens: 3 });
    const cappedTokens = capped.flatMap((s) => s.tokens).length;
    expect(cappedTokens).toBeGreaterThan(0);
    expect(cappedTokens).toBeLessThanOrEqual(3);
    // A prompt shifts the generated model's positions, so the decode ends earlier: the prompt reached whisper.
    const prompted = await engine.transcribe(clip, { language: 'en', task: 'transcribe', initialPrompt: 'UNESCO' });
    expect(prompted.flatMap((s) => s.tokens).length).toBeLessThan(8);
  });

  it('splits a prompt into as many tokens as a real model does (the generated vocabulary is GPT-2\'s)', async () => {
    // An initial prompt of n tokens (after whisper's <|startofprev|>) ends the generated model's 8-token decode n + 1
    // tokens early, so the decode's length counts the prompt's tokens. GPT-2 (whisper's English vocabulary) splits
    // this prompt into 4 tokens; the made-up vocabulary before it split it into 6 or more (and a prompt cost 3x too much).
    const clip = english.subarray(0, 3 * SAMPLE_RATE);
    const prompted = await engine.transcribe(clip, { language: 'en', task: 'transcribe', initialPrompt: 'Good morning and welcome' });
    expect(prompted.flatMap((s) => s.tokens).length).toBe(8 - (4 + 1));
    for (const t of prompted.flatMap((s) => s.tokens)) expect(t.text).toMatch(/^ ?[a-z]{2,}$/);
  });

  it('verifies a draft in one batch: the same output as without, with the decodes it held saved', async () => {
    const clip = english.subarray(0, 3 * SAMPLE_RATE);
    const options = { language: 'en', task: 'transcribe', audioCtx: 200 } as const;
    const plain = await engine.transcribe(clip, options);
    expect(engine.lastPass).toEqual({ draftTokens: 0, draftAccepted: 0 });
    const ids = plain.flatMap((s) => s.ids ?? []);
    // The 8 text tokens and the end of the text (the generated model decodes no times).
    expect(ids.length).toBeGreaterThan(8);
    const drafted = await engine.transcribe(clip, { ...options, draft: ids });
    expect(drafted).toEqual(plain);
    // Every token after the first comes from the draft batch (the first is sampled from the prompt's logits and
    // starts the batch; the last is the end of the text, after which nothing is decoded).
    expect(engine.lastPass.draftTokens).toBe(ids.length);
    expect(engine.lastPass.draftAccepted).toBeGreaterThanOrEqual(ids.length - 3);
    // A draft that is wrong from its fifth token: the KV cache cells of the rest are dropped and decoding goes on
    // token by token, to the same output.
    const wrong = [...ids.slice(0, 4), ...ids.slice(4).map((id) => (id === 50_000 ? 50_001 : 50_000))];
    const corrected = await engine.transcribe(clip, { ...options, draft: wrong });
    expect(corrected).toEqual(plain);
    expect(engine.lastPass.draftAccepted).toBe(3);
    // A draft wrong from its first token runs no batch at all.
    const offAtOnce = await engine.transcribe(clip, { ...options, draft: [50_000, ...ids.slice(1)] });
    expect(offAtOnce).toEqual(plain);
    expect(engine.lastPass.draftAccepted).toBe(0);
  });

  it('serialises concurrent passes and pads buffers under one second', async () => {
    const short = english.subarray(0, SAMPLE_RATE / 2);
    const [a, b] = await Promise.all([
      engine.transcribe(short, { language: 'en', task: 'transcribe', audioCtx: 64 }),
      engine.transcribe(english, { language: 'en', task: 'transcribe', audioCtx: 0 }),
    ]);
    for (const s of a) expect(s.end).toBeLessThanOrEqual(0.5);
    expect(b.length).toBeGreaterThan(0);
  });

  it('refuses a corrupt model before whisper.cpp sees it', async () => {
    const good = readFileSync(await ensureGeneratedModel('test'));
    const truncated = path.join(artifacts, 'truncated.bin');
    writeFileSync(truncated, good.subarray(0, good.length - 1000));
    const error = await loadSmartWhisperEngine(truncated).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SpeechEngineError);
    expect((error as SpeechEngineError).code).toBe('MODEL_TRUNCATED');
  });
});
