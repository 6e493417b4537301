/**
 * `npm run bench:stt`: the speech engine on the generated tiny-dims and base-dims models (random weights, real
 * compute; each unprompted pass decodes 16 text tokens), 2 threads.
 *
 * Per model: load time; per-pass time over 1, 3, 5 and 10 s buffers with the full 30 s encoder window
 * (audio_ctx 0) and with audio_ctx shrunk to the buffer (ceil(seconds x 50) + 50 frames, the streaming
 * pipeline's 1 s margin), median of 5 after a warm-up; the real-time factor of streaming a 60 s speech clip the
 * way the streaming policy does (a simple loop, not the full pipeline: every 1 s of new audio, re-decode the
 * buffer of the last <= 10 s with audio_ctx shrunk; RTF = decode time / audio time); peak RSS. Then the same
 * 5 s chunk through whisper-node (which runs whisper.cpp's `main` and reloads the model for every chunk).
 *
 * Then the base-dims model quantized to q8_0: pass over 5 s and streaming RTF (a section before the last line).
 *
 * Speech: espeak-ng English, resampled by sox to 16 kHz mono, repeated to 60 s. Last line:
 * `bench:stt model=base pass5s_ms=<x> rtf=<r> load_ms=<l> rss_mb=<m> whisper_node_pass5s_ms=<y> speedup=<y/x>`
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureGeneratedModel, type GeneratedPreset } from '../models/generate-ggml';
import { SAMPLE_RATE, type SpeechEngine, type TranscribeOptions } from '../electron/stt/engine';
import { loadSmartWhisperEngine } from '../electron/stt/smart-whisper-engine';
import { loadWhisperNodeEngine, prepareWhisperNode } from '../electron/stt/whisper-node-engine';

const THREADS = 2;
/** Passes per figure (median); BENCH_STT_REPEATS=1 for a quicker run on a busy machine. */
const REPEATS = Number(process.env.BENCH_STT_REPEATS ?? 5);
const SIZES = [1, 3, 5, 10] as const;
const STREAM_SECONDS = 60;
const STEP_SECONDS = 1;
const BUFFER_CAP_SECONDS = 10;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const artifacts = path.join(root, 'test-artifacts/bench-stt');

const TEXT =
  'Good morning, distinguished delegates. The conference will now resume its work on the report of the ' +
  'committee on budget and finance. The secretariat has circulated the revised draft, which takes into account ' +
  'the comments received from member states during the informal consultations held last week. I give the floor ' +
  'to the chair of the committee to introduce the document, and I remind speakers to keep their statements ' +
  'within five minutes so that interpretation into Arabic, Russian and the other official languages can follow.';

function speechClip(seconds: number): Float32Array {
  mkdirSync(artifacts, { recursive: true });
  const raw = path.join(artifacts, 'speech-raw.wav');
  const wav = path.join(artifacts, 'speech.wav');
  execFileSync('espeak-ng', ['-v', 'en', '-s', '150', '-w', raw, TEXT]);
  execFileSync('sox', [raw, '-r', String(SAMPLE_RATE), '-c', '1', '-b', '16', wav]);
  const bytes = readFileSync(wav);
  let at = 12;
  while (bytes.toString('ascii', at, at + 4) !== 'data') at += 8 + bytes.readUInt32LE(at + 4);
  const n = bytes.readUInt32LE(at + 4) / 2;
  const once = Float32Array.from({ length: n }, (_, i) => bytes.readInt16LE(at + 8 + 2 * i) / 32768);
  const out = new Float32Array(seconds * SAMPLE_RATE);
  for (let i = 0; i < out.length; i += once.length) out.set(once.subarray(0, out.length - i), i);
  return out;
}

function audioCtxFor(seconds: number): number {
  return Math.min(1500, Math.ceil(seconds * 50) + 50);
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** CPU milliseconds (all threads of this process) spent by the passes timed so far. */
let cpuMsTotal = 0;

async function timePass(engine: SpeechEngine, pcm: Float32Array, options: TranscribeOptions): Promise<number> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await engine.transcribe(pcm, options);
  const used = process.cpuUsage(cpu);
  cpuMsTotal += (used.user + used.system) / 1000;
  return performance.now() - started;
}

/** Median wall time of REPEATS passes, and their median CPU time (robust to other load on the machine). */
async function medianPass(engine: SpeechEngine, pcm: Float32Array, options: TranscribeOptions): Promise<number> {
  const times: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const before = cpuMsTotal;
    times.push(await timePass(engine, pcm, options));
    cpus.push(cpuMsTotal - before);
  }
  lastCpuMs = median(cpus);
  return median(times);
}
let lastCpuMs = 0;

function ms(x: number): string {
  return x.toFixed(0);
}

interface ModelFigures {
  loadMs: number;
  pass5sMs: number;
  rtf: number;
}

async function benchModel(preset: GeneratedPreset, clip: Float32Array): Promise<ModelFigures> {
  const modelPath = await ensureGeneratedModel(preset);
  const engine = await loadSmartWhisperEngine(modelPath, { threads: THREADS });
  console.log(`\n== ${preset}-dims generated model (${(engine.model.fileBytes / 1e6).toFixed(0)} MB), ${THREADS} threads`);
  console.log(`build: ${engine.build.variant} (${engine.build.cflags.join(' ')})`);
  console.log(`whisper.cpp: ${engine.systemInfo}`);
  console.log(`load: ${ms(engine.loadMs)} ms`);
  const base: TranscribeOptions = { language: 'en', task: 'transcribe', threads: THREADS };
  await engine.transcribe(clip.subarray(0, 3 * SAMPLE_RATE), { ...base, audioCtx: audioCtxFor(3) });

  console.log('buffer   full window (audio_ctx 0)   audio_ctx shrunk');
  let pass5sMs = 0;
  for (const seconds of SIZES) {
    const pcm = clip.subarray(0, seconds * SAMPLE_RATE);
    const full = await medianPass(engine, pcm, { ...base, audioCtx: 0 });
    const fullCpu = lastCpuMs;
    const shrunk = await medianPass(engine, pcm, { ...base, audioCtx: audioCtxFor(seconds) });
    if (seconds === 5) pass5sMs = shrunk;
    console.log(
      `${String(seconds).padStart(3)} s    ${ms(full).padStart(8)} ms (cpu ${ms(fullCpu)} ms)    ` +
        `${ms(shrunk).padStart(6)} ms (cpu ${ms(lastCpuMs)} ms, audio_ctx ${audioCtxFor(seconds)})`,
    );
  }

  let busy = 0;
  let passes = 0;
  const cpuBefore = cpuMsTotal;
  for (let t = STEP_SECONDS; t <= STREAM_SECONDS; t += STEP_SECONDS) {
    const from = Math.max(0, t - BUFFER_CAP_SECONDS);
    const pcm = clip.subarray(from * SAMPLE_RATE, t * SAMPLE_RATE);
    busy += await timePass(engine, pcm, { ...base, audioCtx: audioCtxFor(t - from) });
    passes++;
  }
  const rtf = busy / 1000 / STREAM_SECONDS;
  console.log(
    `streaming ${STREAM_SECONDS} s (step ${STEP_SECONDS} s, buffer <= ${BUFFER_CAP_SECONDS} s, audio_ctx shrunk): ` +
      `${passes} passes, ${ms(busy)} ms decoding, RTF ${rtf.toFixed(3)} ` +
      `(CPU ${ms(cpuMsTotal - cpuBefore)} ms over ${THREADS} threads)`,
  );
  const figures = { loadMs: engine.loadMs, pass5sMs, rtf };
  await engine.close();
  return figures;
}

async function benchWhisperNode(chunk: Float32Array): Promise<number> {
  const buildSeconds = await prepareWhisperNode(2);
  console.log(`\n== whisper-node 1.1.1 (baseline), base-dims model, 5 s chunks as WAV files`);
  console.log(buildSeconds > 0 ? `make of its whisper.cpp main: ${buildSeconds.toFixed(0)} s` : 'its main was already built');
  const engine = await loadWhisperNodeEngine(await ensureGeneratedModel('base'));
  await engine.transcribe(chunk, { language: 'en', task: 'transcribe' });
  const pass = await medianPass(engine, chunk, { language: 'en', task: 'transcribe' });
  console.log(`pass over 5 s (model reloaded each time, its own default threads): ${ms(pass)} ms`);
  await engine.close();
  return pass;
}

/**
 * The base-dims model quantized to q8_0 (what whisper.cpp's quantize tool makes of the f16 file; the size whisper.cpp
 * publishes for 2-core machines): pass over a 5 s buffer (audio_ctx shrunk, median of REPEATS after a warm-up) and
 * the streaming RTF of the same 60 s loop as above.
 */
async function benchQuantized(clip: Float32Array): Promise<void> {
  const engine = await loadSmartWhisperEngine(await ensureGeneratedModel('base', { ftype: 'q8_0' }), {
    threads: THREADS,
  });
  const mb = (engine.model.fileBytes / 1e6).toFixed(0);
  console.log(`\n== base-dims q8_0 generated model (${mb} MB), ${THREADS} threads`);
  console.log(`load: ${ms(engine.loadMs)} ms`);
  const options: TranscribeOptions = { language: 'en', task: 'transcribe', threads: THREADS, audioCtx: audioCtxFor(5) };
  const pcm = clip.subarray(0, 5 * SAMPLE_RATE);
  const warm = await engine.transcribe(pcm, options);
  const pass = await medianPass(engine, pcm, options);
  console.log(
    `pass over 5 s (audio_ctx ${audioCtxFor(5)}): ${ms(pass)} ms (cpu ${ms(lastCpuMs)} ms, ` +
      `${warm.flatMap((s) => s.tokens).length} text tokens decoded)`,
  );
  let busy = 0;
  for (let t = STEP_SECONDS; t <= STREAM_SECONDS; t += STEP_SECONDS) {
    const from = Math.max(0, t - BUFFER_CAP_SECONDS);
    busy += await timePass(engine, clip.subarray(from * SAMPLE_RATE, t * SAMPLE_RATE), {
      ...options,
      audioCtx: audioCtxFor(t - from),
    });
  }
  const rtf = (busy / 1000 / STREAM_SECONDS).toFixed(3);
  console.log(`streaming ${STREAM_SECONDS} s (as above): ${ms(busy)} ms decoding, RTF ${rtf}`);
  console.log(`base-dims q8_0 pass5s_ms=${ms(pass)} rtf=${rtf}`);
  await engine.close();
}

const load = (): string => os.loadavg().map((l) => l.toFixed(1)).join(' ');
console.log(`machine: ${os.cpus().length} cores, load average ${load()} at start (wall times include other load)`);
const clip = speechClip(STREAM_SECONDS);
await benchModel('tiny', clip);
const base = await benchModel('base', clip);
const rssMb = process.resourceUsage().maxRSS / 1024;
console.log(`\npeak RSS of the benchmark process (both models, one after the other): ${rssMb.toFixed(0)} MB`);
const whisperNodeMs = await benchWhisperNode(clip.subarray(0, 5 * SAMPLE_RATE));
await benchQuantized(clip);
console.log(`load average ${load()} at the end`);
console.log(
  `bench:stt model=base pass5s_ms=${ms(base.pass5sMs)} rtf=${base.rtf.toFixed(3)} load_ms=${ms(base.loadMs)} ` +
    `rss_mb=${rssMb.toFixed(0)} whisper_node_pass5s_ms=${ms(whisperNodeMs)} ` +
    `speedup=${(whisperNodeMs / base.pass5sMs).toFixed(1)}`,
);
