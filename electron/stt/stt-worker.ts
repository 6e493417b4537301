/**
 * The speech-to-text worker process: loads the model (the only file that loads the native whisper addon, through
 * smart-whisper-engine.ts), runs one `SttStream`, and talks to its supervisor with the messages of
 * `electron/common/stt-protocol.ts`. Runs as an Electron utilityProcess or a Node child process (the same file;
 * `worker-transport.ts` hides the difference). Every incoming message is parsed with zod.
 */
import { STT_ERROR_CODES, toWorkerMessageSchema, type FromWorkerMessage, type WorkerInit } from '../common/stt-protocol';
import { SAMPLE_RATE, type SpeechEngine } from './engine';
import { HangingEngine, ToneEngine } from './fake-engines';
import { SttStream } from './stt-stream';
import { EnergyVad, loadSileroVadDetector, type VadDetector } from './vad';
import { connectToParent } from './worker-transport';

const transport = connectToParent();
if (!transport) {
  process.stderr.write('stt-worker: start me as a utilityProcess or with child_process.fork (no parent channel)\n');
  process.exit(2);
}
const parent = transport;

function send(message: FromWorkerMessage): void {
  parent.send(message);
}

let engine: SpeechEngine | null = null;
let vad: VadDetector | null = null;
let stream: SttStream | null = null;
let initStarted = false;
let lastProgress = '';

async function loadEngine(init: WorkerInit): Promise<{ engine: SpeechEngine; name: string } | { code: string; message: string }> {
  const kind = init.engine ?? 'whisper';
  if (kind !== 'whisper' && process.env['TARJUMAN_STT_TEST'] !== '1') {
    return { code: STT_ERROR_CODES.TEST_ONLY, message: `engine "${kind}" is for tests only (TARJUMAN_STT_TEST=1)` };
  }
  switch (kind) {
    case 'fake-tone':
      return { engine: new ToneEngine(init.language === 'auto' ? 'en' : init.language), name: 'fake-tone' };
    case 'fake-hang':
      return { engine: new HangingEngine(), name: 'fake-hang' };
    case 'fake-crash-on-load':
      process.exit(3);
      break;
    case 'whisper':
      break;
  }
  const { validateModelFile } = await import('../../models/validate');
  const valid = await validateModelFile(init.modelPath);
  if (!valid.ok) return { code: STT_ERROR_CODES.MODEL_INVALID, message: valid.error.message };
  let whisper: SpeechEngine;
  try {
    const { loadSmartWhisperEngine } = await import('./smart-whisper-engine');
    whisper = await loadSmartWhisperEngine(init.modelPath, { threads: init.threads });
  } catch (err) {
    return { code: STT_ERROR_CODES.MODEL_LOAD_FAILED, message: `whisper could not load ${init.modelPath}: ${errorText(err)}` };
  }
  // One pass over silence before saying ready: whisper.cpp's first pass pays for its allocations (several times
  // a normal pass), which belongs to loading, not to the first caption or its deadline.
  try {
    await whisper.transcribe(new Float32Array(Math.round(1.1 * SAMPLE_RATE)), {
      language: init.language,
      task: 'transcribe',
      audioCtx: 128,
      maxTokens: 1,
      threads: init.threads,
    });
  } catch (err) {
    return { code: STT_ERROR_CODES.MODEL_LOAD_FAILED, message: `the model loads but cannot decode: ${errorText(err)}` };
  }
  return { engine: whisper, name: 'smart-whisper' };
}

async function start(init: WorkerInit): Promise<void> {
  const started = performance.now();
  const loaded = await loadEngine(init);
  if ('code' in loaded) {
    send({ type: 'failed', code: loaded.code, message: loaded.message });
    return;
  }
  engine = loaded.engine;
  try {
    vad = init.vad === 'energy' ? new EnergyVad() : await loadSileroVadDetector();
  } catch (err) {
    send({ type: 'failed', code: STT_ERROR_CODES.VAD_FAILED, message: `Silero VAD could not start: ${errorText(err)}` });
    return;
  }
  stream = new SttStream({
    engine,
    vad,
    language: init.language,
    task: init.task,
    glossary: init.glossary,
    threads: init.threads,
    idPrefix: init.idPrefix,
    tuning: init.tuning,
    resume: init.resume,
    onCaption: (event) => send(event),
    onPassStart: (p) => send({ type: 'pass-start', pass: p.pass, bufferSeconds: p.bufferSeconds }),
    onPassEnd: (p) => send({ type: 'pass-end', pass: p.pass, ms: p.ms }),
    onProgress: (p) => {
      const key = `${p.consumedSample}:${p.doneSample}:${p.retainFromSample}`;
      if (key === lastProgress) return;
      lastProgress = key;
      send({ type: 'progress', ...p });
    },
    onError: (code, message) => send({ type: 'error', code, message }),
  });
  send({ type: 'ready', engine: loaded.name, vad: vad.name, loadMs: performance.now() - started });
}

async function handle(raw: unknown): Promise<void> {
  const parsed = toWorkerMessageSchema.safeParse(raw);
  if (!parsed.success) {
    send({ type: 'error', code: STT_ERROR_CODES.INVALID_MESSAGE, message: parsed.error.issues[0]?.message ?? 'invalid message' });
    return;
  }
  const message = parsed.data;
  if (message.type === 'init') {
    if (initStarted) {
      send({ type: 'error', code: STT_ERROR_CODES.INVALID_MESSAGE, message: 'init was already received' });
      return;
    }
    initStarted = true;
    await start(message);
    return;
  }
  if (message.type === 'stop') {
    stream?.close();
    await Promise.allSettled([engine?.close(), vad?.close()]);
    process.exit(0);
  }
  // Before ready (or after a failed init) there is no stream; the supervisor sends nothing else then.
  if (!stream) return;
  switch (message.type) {
    case 'audio':
      stream.push(message.pcm, message.startSample);
      break;
    case 'settings':
      stream.configure(message);
      break;
    case 'flush':
      await stream.flush();
      send({ type: 'flushed', requestId: message.requestId });
      break;
  }
}

let chain: Promise<void> = Promise.resolve();
parent.onMessage((raw) => {
  // Stop jumps the queue (a flush may be waiting on a pass that hangs); the rest is handled in arrival order.
  if ((raw as { type?: unknown } | null)?.type === 'stop') {
    void handle(raw);
    return;
  }
  chain = chain.then(() => handle(raw)).catch((err: unknown) => send({ type: 'error', code: STT_ERROR_CODES.PASS_FAILED, message: errorText(err) }));
});
// A Node child whose parent went away has nobody to talk to.
process.on('disconnect', () => process.exit(0));

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
