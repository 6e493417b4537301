/**
 * whisper-node 1.1.1 behind {@link SpeechEngine}: the benchmark's baseline only, never used by the app.
 *
 * What it needs to work: whisper-node compiles whisper.cpp's `main` with `make` inside node_modules the first
 * time it is imported (its install scripts are blocked by npm 11 anyway), `cd`s the whole process into that
 * folder, then runs `./main -m <model> -f <file.wav>` for every call: the model is reloaded per chunk and audio
 * must be a 16 kHz WAV file. {@link prepareWhisperNode} runs that `make` explicitly (so the benchmark can time
 * it and nothing compiles as a side effect of an import); the module itself is only imported lazily.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { SAMPLE_RATE, type EngineSegment, type SpeechEngine, type TranscribeOptions } from './engine';

const run = promisify(execFile);

function whisperCppDir(): string {
  const req = createRequire(import.meta.url);
  return path.join(path.dirname(req.resolve('whisper-node/package.json')), 'lib/whisper.cpp');
}

/**
 * Builds whisper-node's bundled whisper.cpp `main` if it is missing. Returns the seconds spent (0 when it was
 * already built). Its Makefile detects AVX2/FMA/F16C from /proc/cpuinfo, so the baseline is not handicapped.
 */
export async function prepareWhisperNode(jobs = 2): Promise<number> {
  const dir = whisperCppDir();
  if (existsSync(path.join(dir, 'main'))) return 0;
  const started = performance.now();
  await run('make', [`-j${jobs}`, 'main'], { cwd: dir, maxBuffer: 64 << 20 });
  return (performance.now() - started) / 1000;
}

/** 16-bit PCM mono WAV bytes of Float32 samples. */
export function encodeWav(pcm: Float32Array, sampleRate = SAMPLE_RATE): Buffer {
  const data = Buffer.alloc(pcm.length * 2);
  for (let i = 0; i < pcm.length; i++) {
    data.writeInt16LE(Math.round(Math.max(-1, Math.min(1, pcm[i]!)) * 32767), i * 2);
  }
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

function seconds(stamp: string): number {
  const [h, m, s] = stamp.split(':').map(Number);
  return (h ?? 0) * 3600 + (m ?? 0) * 60 + (s ?? 0);
}

interface WhisperNodeLine {
  start: string;
  end: string;
  speech: string;
}
type WhisperNodeFn = (
  file: string,
  options: { modelPath: string; whisperOptions?: { language?: string } },
) => Promise<WhisperNodeLine[] | undefined>;

/**
 * A {@link SpeechEngine} over whisper-node. Each pass writes a WAV file and runs whisper.cpp's `main` (which
 * loads the model again). Options other than the language are ignored: whisper-node has no prompt, translate,
 * audio_ctx or token output. Call {@link prepareWhisperNode} first, or the import runs `make` itself.
 */
export async function loadWhisperNodeEngine(modelPath: string): Promise<SpeechEngine> {
  const cwd = process.cwd();
  // A variable specifier: whisper-node ships no types, and bundlers must not pull it into the app.
  const specifier = 'whisper-node';
  const mod = (await import(specifier)) as { whisper?: WhisperNodeFn; default?: WhisperNodeFn };
  // whisper-node cds the process into its whisper.cpp folder on import; put it back.
  process.chdir(cwd);
  const whisper = mod.whisper ?? mod.default;
  if (!whisper) throw new Error('whisper-node has no whisper() export');
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'tarjuman-whisper-node-'));
  const absoluteModel = path.resolve(modelPath);
  let n = 0;
  return {
    async transcribe(pcm: Float32Array, options: TranscribeOptions): Promise<EngineSegment[]> {
      const file = path.join(tmp, `chunk-${n++}.wav`);
      await writeFile(file, encodeWav(pcm));
      const log = console.log;
      const said: string[] = [];
      console.log = (...args: unknown[]) => void said.push(args.map(String).join(' '));
      const here = process.cwd();
      try {
        process.chdir(whisperCppDir());
        const lines = await whisper(file, {
          modelPath: absoluteModel,
          whisperOptions: options.language === 'auto' ? {} : { language: options.language },
        });
        // whisper-node logs its failures and resolves undefined.
        if (!lines) throw new Error(`whisper-node failed: ${said.join(' ').trim()}`);
        const duration = pcm.length / SAMPLE_RATE;
        return lines.map((l) => {
          const start = Math.min(duration, seconds(l.start));
          return {
            text: l.speech,
            start,
            end: Math.max(start, Math.min(duration, seconds(l.end))),
            lang: options.language,
            tokens: [],
          };
        });
      } finally {
        process.chdir(here);
        console.log = log;
        await rm(file, { force: true });
      }
    },
    async close() {
      await rm(tmp, { recursive: true, force: true });
    },
  };
}
