/**
 * What every speech-to-text worker process runs: the connection to its supervisor, the init handshake (load the
 * engine and the voice detector, then `ready` or `failed`), one `SttStream`, and the messages of
 * `electron/common/stt-protocol.ts`, every incoming one parsed with zod. Runs as an Electron utilityProcess or a
 * Node child process (`worker-transport.ts` hides the difference).
 *
 * The engine comes from the entry file: `stt-worker.ts` (the product: whisper) or `fake-stt-worker.ts` (the
 * tests' engines), so test engines are no part of the product's protocol.
 */
import { STT_ERROR_CODES, toWorkerMessageSchema, type FromWorkerMessage, type SttErrorCode, type WorkerInit } from '../common/stt-protocol';
import type { SpeechEngine } from './engine';
import { SttStream } from './stt-stream';
import { EnergyVad, loadSileroVadDetector, type VadDetector } from './vad';
import { connectToParent } from './worker-transport';

/** A loaded engine and the name the worker reports in `ready`, or why it could not load. */
export type LoadedEngine = { engine: SpeechEngine; name: string } | { code: SttErrorCode; message: string };

/** What a worker entry provides. */
export interface SttWorkerOptions {
  /** Loads the engine for an init message (may exit the process: a test entry simulating a crash). */
  loadEngine(init: WorkerInit): Promise<LoadedEngine>;
}

/** Connects to the supervisor and serves it until `stop` or until the parent goes away. */
export function runSttWorker(options: SttWorkerOptions): void {
  const transport = connectToParent();
  if (!transport) {
    process.stderr.write('stt-worker: start me as a utilityProcess or with child_process.fork (no parent channel)\n');
    process.exit(2);
  }
  const parent = transport;
  const send = (message: FromWorkerMessage): void => parent.send(message);

  let engine: SpeechEngine | null = null;
  let vad: VadDetector | null = null;
  let stream: SttStream | null = null;
  let initStarted = false;
  let lastProgress = '';

  async function start(init: WorkerInit): Promise<void> {
    const started = performance.now();
    const loaded = await options.loadEngine(init);
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
      onRealtime: (realtime) => send({ type: 'realtime', realtime }),
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
    chain = chain
      .then(() => handle(raw))
      .catch((err: unknown) => send({ type: 'error', code: STT_ERROR_CODES.PASS_FAILED, message: errorText(err) }));
  });
  // A Node child whose parent went away has nobody to talk to.
  process.on('disconnect', () => process.exit(0));
}

/** The message of an unknown thrown value. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
