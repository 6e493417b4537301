/**
 * `npm run bench:stt [-- --model base|small|small-q8_0|... --commit agreement|one-pass --glossary FILE]`: the speech engine on a generated model of real
 * whisper dimensions (random weights, real compute), 2 threads. Default: base.
 *
 * For the model: load time; per-pass time over 1, 3, 5 and 10 s buffers decoding 16 text tokens, with the full
 * 30 s encoder window (audio_ctx 0) and with audio_ctx shrunk to the buffer (the streaming pipeline's 1 s margin),
 * median of 5 after a warm-up; then the real-time factor of the streaming pipeline's own policy (SttStream: Silero
 * VAD, LocalAgreement-2, the compute governor) over a 60 s espeak-ng clip fed in real time, with the reference-word
 * wrapper of bench:e2e (bench/reference-speech.ts: every pass pays the real compute and decodes as many tokens as
 * the words in its buffer; the policy sees text that agrees): RTF = decoding time / audio time. For continuity the
 * old fixed loop's RTF too (every 1 s, the last <= 10 s, 16 tokens). Peak RSS.
 *
 * Then: for base, the same 5 s chunk through whisper-node (the baseline; it runs whisper.cpp's `main` and reloads
 * the model for every chunk) and base-dims q8_0; for small, small-dims q8_0, q5_1 (the catalog's), q5_0 and q4_0 pass times; and the
 * large-v3-turbo dims (q5_0: 128 mel bins, 1280 wide, 32 + 4 layers) pass times, figures only.
 *
 * Last line: `bench:stt model=<m> pass5s_ms=<x> rtf=<r> load_ms=<l> rss_mb=<m>` (for base, plus
 * `whisper_node_pass5s_ms=<y> speedup=<y/x>`; with `--commit one-pass`, plus `commit=one-pass`; with `--glossary FILE`, the
 * policy's stream carries that glossary CSV's terms in every prompt, as at an event, plus `glossary=<terms>`).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { SttRealtime } from '../electron/common/stt-protocol';
import { SAMPLE_RATE, type SpeechEngine, type TranscribeOptions } from '../electron/stt/engine';
import { loadSmartWhisperEngine, type SmartWhisperEngine } from '../electron/stt/smart-whisper-engine';
import { SttStream } from '../electron/stt/stt-stream';
import { loadSileroVadDetector } from '../electron/stt/vad';
import { loadWhisperNodeEngine, prepareWhisperNode } from '../electron/stt/whisper-node-engine';
import { ensureGeneratedModel } from '../models/generate-ggml';
import { benchModelPath, buildFixture, commitField, draftSummary, glossaryField, loadBenchGlossary, parseBenchModel, parseCommitRule, percentile, ReferenceWordsEngine, type BenchModel } from './reference-speech';

const THREADS = 2;
/** Passes per figure (median); BENCH_STT_REPEATS=1 for a quicker run on a busy machine. */
const REPEATS = Number(process.env.BENCH_STT_REPEATS ?? 5);
const SIZES = [1, 3, 5, 10] as const;
const STREAM_SECONDS = 60;
/** Text tokens of a timed pass (the engine's maxTokens: whisper.cpp decodes exactly that many here). */
const PASS_TOKENS = 16;
const { values: args } = parseArgs({ options: { model: { type: 'string', default: 'base' }, commit: { type: 'string' }, glossary: { type: 'string' } } });
const MODEL = parseBenchModel(args.model);
const COMMIT = parseCommitRule(args.commit);
const GLOSSARY = loadBenchGlossary(args.glossary);

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const artifacts = path.join(root, 'test-artifacts/bench-stt');

const TEXT =
  'Good morning, distinguished delegates. The conference will now resume its work on the report of the ' +
  'committee on budget and finance. The secretariat has circulated the revised draft, which takes into account ' +
  'the comments received from member states during the informal consultations held last week. I give the floor ' +
  'to the chair of the committee to introduce the document, and I remind speakers to keep their statements ' +
  'within five minutes so that interpretation into Arabic, Russian and the other official languages can follow.';

/** The espeak-ng clip of TEXT, repeated to `seconds` (the buffers of the pass timings). */
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
let lastCpuMs = 0;

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

function ms(x: number): string {
  return x.toFixed(0);
}

const load = (): string => os.loadavg().map((l) => l.toFixed(1)).join(' ');

async function loadModel(model: BenchModel): Promise<SmartWhisperEngine> {
  const engine = await loadSmartWhisperEngine(await benchModelPath(model), { threads: THREADS });
  console.log(`\n== ${model.name}-dims generated model (${(engine.model.fileBytes / 1e6).toFixed(0)} MB), ${THREADS} threads`);
  console.log(`load: ${ms(engine.loadMs)} ms`);
  return engine;
}

/** Pass times over `sizes` (16 text tokens), full window and shrunk; returns the shrunk 5 s figure. */
async function passTimes(engine: SpeechEngine, clip: Float32Array, sizes: readonly number[], full = true): Promise<number> {
  const base: TranscribeOptions = { language: 'en', task: 'transcribe', threads: THREADS, maxTokens: PASS_TOKENS };
  const warm = await engine.transcribe(clip.subarray(0, 3 * SAMPLE_RATE), { ...base, audioCtx: audioCtxFor(3) });
  console.log(`text tokens per timed pass: ${warm.flatMap((x) => x.tokens).length}`);
  console.log(full ? 'buffer   full window (audio_ctx 0)   audio_ctx shrunk' : 'buffer   audio_ctx shrunk');
  let pass5sMs = 0;
  for (const seconds of sizes) {
    const pcm = clip.subarray(0, seconds * SAMPLE_RATE);
    let fullText = '';
    if (full) {
      const fullMs = await medianPass(engine, pcm, { ...base, audioCtx: 0 });
      fullText = `${ms(fullMs).padStart(8)} ms (cpu ${ms(lastCpuMs)} ms)    `;
    }
    const shrunk = await medianPass(engine, pcm, { ...base, audioCtx: audioCtxFor(seconds) });
    if (seconds === 5) pass5sMs = shrunk;
    console.log(`${String(seconds).padStart(3)} s    ${fullText}${ms(shrunk).padStart(6)} ms (cpu ${ms(lastCpuMs)} ms, audio_ctx ${audioCtxFor(seconds)})`);
  }
  return pass5sMs;
}

/** The old fixed loop: every 1 s of audio, re-decode the last <= 10 s (16 tokens). RTF. */
async function fixedLoopRtf(engine: SpeechEngine, clip: Float32Array): Promise<number> {
  let busy = 0;
  for (let t = 1; t <= STREAM_SECONDS; t++) {
    const from = Math.max(0, t - 10);
    busy += await timePass(engine, clip.subarray(from * SAMPLE_RATE, t * SAMPLE_RATE), {
      language: 'en',
      task: 'transcribe',
      threads: THREADS,
      maxTokens: PASS_TOKENS,
      audioCtx: audioCtxFor(t - from),
    });
  }
  return busy / 1000 / STREAM_SECONDS;
}

/**
 * The streaming pipeline's own policy over STREAM_SECONDS of word-by-word speech fed in real time (100 ms frames),
 * the engine wrapped with the reference words. RTF = decoding time / audio time.
 */
async function policyRtf(real: SpeechEngine): Promise<{ rtf: number; report: SttRealtime | undefined }> {
  const { pcm, words } = buildFixture(STREAM_SECONDS);
  let pushed = 0;
  const engine = new ReferenceWordsEngine(real, words, () => pushed / SAMPLE_RATE);
  const vad = await loadSileroVadDetector();
  const lags: number[] = [];
  const steps: number[] = [];
  const reports: SttRealtime[] = [];
  let lagMax = 0;
  const stream = new SttStream({
    engine,
    vad,
    language: 'en',
    task: 'transcribe',
    threads: THREADS,
    glossary: GLOSSARY,
    tuning: { commit: COMMIT },
    onCaption: () => undefined,
    onPassStart: (p) => (engine.bufferOffset = p.offset),
    onPassEnd: (p) => lags.push(p.lagSeconds),
    onRealtime: (r) => {
      reports.push(r);
      steps.push(r.stepSeconds);
    },
  });
  const frame = SAMPLE_RATE / 10;
  const audioSeconds = Math.min(pcm.length / SAMPLE_RATE, STREAM_SECONDS);
  const t0 = performance.now();
  for (let k = 0; k * frame < audioSeconds * SAMPLE_RATE; k++) {
    const wait = t0 + k * 100 - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const chunk = pcm.slice(k * frame, (k + 1) * frame);
    pushed += chunk.length;
    stream.push(chunk);
    lagMax = Math.max(lagMax, stream.lagSeconds());
  }
  await stream.flush();
  await vad.close();
  const busy = engine.passMs.reduce((a, b) => a + b, 0);
  const rtf = busy / 1000 / audioSeconds;
  const report = reports[reports.length - 1];
  console.log(
    `streaming ${audioSeconds.toFixed(0)} s through the pipeline's policy (real time, Silero VAD, reference words): ` +
      `${engine.passes} passes, ${ms(busy)} ms decoding, RTF ${rtf.toFixed(3)}; pass p50 ${ms(percentile(engine.passMs, 50))} ms ` +
      `p95 ${ms(percentile(engine.passMs, 95))} ms; step p50 ${percentile(steps, 50)} s; tokens per pass p50 ` +
      `${percentile(engine.passTokens, 50)} (${draftSummary([engine])}); lag max ${lagMax.toFixed(2)} s; pacing ${[...new Set(reports.map((r) => r.level))].join(' -> ')}` +
      (report ? `; realtime verdict ${report.verdict}, dropped ${report.droppedSeconds} s` : ''),
  );
  return { rtf, report };
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

/** Pass figures of a sibling model (a quantized type, the turbo dims): load, 1 and 5 s passes. */
async function siblingFigures(model: BenchModel, clip: Float32Array): Promise<void> {
  const engine = await loadModel(model);
  const pass5 = await passTimes(engine, clip, [1, 5], false);
  console.log(`${model.name} pass5s_ms=${ms(pass5)}`);
  await engine.close();
}

console.log(`machine: ${os.cpus().length} cores, load average ${load()} at start (wall times include other load)`);
const clip = speechClip(STREAM_SECONDS);
const engine = await loadModel(MODEL);
console.log(`build: ${engine.build.variant} (${engine.build.cflags.join(' ')})`);
console.log(`whisper.cpp: ${engine.systemInfo}`);
const pass5sMs = await passTimes(engine, clip, SIZES);
const loopRtf = await fixedLoopRtf(engine, clip);
console.log(`fixed loop as before (every 1 s, buffer <= 10 s, 16 tokens): RTF ${loopRtf.toFixed(3)}`);
const { rtf } = await policyRtf(engine);
const loadMs = engine.loadMs;
await engine.close();
const rssMb = process.resourceUsage().maxRSS / 1024;
console.log(`peak RSS of the benchmark process: ${rssMb.toFixed(0)} MB`);

let tail = '';
if (MODEL.name === 'base') {
  const whisperNodeMs = await benchWhisperNode(clip.subarray(0, 5 * SAMPLE_RATE));
  await siblingFigures(parseBenchModel('base-q8_0'), clip);
  tail = ` whisper_node_pass5s_ms=${ms(whisperNodeMs)} speedup=${(whisperNodeMs / pass5sMs).toFixed(1)}`;
} else if (MODEL.preset === 'small' && MODEL.ftype === 'f16') {
  for (const ftype of ['q8_0', 'q5_1', 'q5_0', 'q4_0']) await siblingFigures(parseBenchModel(`small-${ftype}`), clip);
}
if (MODEL.preset !== 'large-v3-turbo' && process.env.BENCH_STT_TURBO !== '0') {
  await siblingFigures(parseBenchModel('large-v3-turbo-q5_0'), clip);
}
console.log(`load average ${load()} at the end`);
console.log(
  `bench:stt model=${MODEL.name} pass5s_ms=${ms(pass5sMs)} rtf=${rtf.toFixed(3)} load_ms=${ms(loadMs)} rss_mb=${rssMb.toFixed(0)}${tail}${commitField(COMMIT)}${glossaryField(GLOSSARY)}`,
);
