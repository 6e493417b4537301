/**
 * The console's speech-to-text sources on electron/stt's supervisor: one supervised worker per source. The
 * process model comes in as `spawnWorker` (a Node child process headless and in tests, Electron's
 * utilityProcess in the app), so this file runs in both.
 */
import { SttSupervisor, type SpawnWorker } from '../stt/stt-supervisor';
import type { StreamTuning } from '../common/stt-protocol';
import type { SttSourceFactory } from './stt-source';

/** How often the speech-to-text lag is checked, ms. */
const LAG_REPORT_MS = 500;
/**
 * A Stop first lets the worker transcribe what it has heard and deliver those captions, for at most this long, ms
 * (a last pass over the open utterance: under a second on base, one or two on small on 2 cores; a worker far behind
 * gets this long, then is stopped with the rest).
 */
export const FLUSH_ON_STOP_MS = 4000;

/** Options shared by every source the factory starts. */
export interface SupervisorSourceOptions {
  spawnWorker: SpawnWorker;
  /** CPU threads per worker (default 2). */
  threads?: number;
  /** Voice detector (default Silero). */
  vad?: 'silero' | 'energy';
  tuning?: StreamTuning;
}

/** A {@link SttSourceFactory} that runs each source in a supervised worker. */
export function supervisorSttFactory(options: SupervisorSourceOptions): SttSourceFactory {
  return (request, events) => {
    let lastDropped = 0;
    // The lag moves with every frame: reported twice a second and at each status change (a pass, a restart),
    // and only when it moved by a tenth of a second.
    let lastLag = -1;
    const reportLag = (): void => {
      const lag = Math.round(supervisor.lagSeconds * 10) / 10;
      if (Math.abs(lag - lastLag) < 0.1) return;
      lastLag = lag;
      events.lag?.(lag);
    };
    const supervisor: SttSupervisor = new SttSupervisor({
      spawnWorker: options.spawnWorker,
      modelPath: request.modelPath,
      language: request.language,
      glossary: request.glossary,
      idPrefix: request.idPrefix,
      threads: options.threads ?? 2,
      ...(options.vad ? { vad: options.vad } : {}),
      tuning: { ...options.tuning, commit: request.commit },
      onCaption: (e) => events.caption(e),
      onStatus: (e) => {
        reportLag();
        const dropped = supervisor.counters.droppedSamples;
        if (dropped !== lastDropped) {
          lastDropped = dropped;
          events.dropped?.(dropped);
        }
        events.status(e);
      },
    });
    supervisor.start();
    const lagTimer = setInterval(reportLag, LAG_REPORT_MS);
    lagTimer.unref();
    return {
      push: (frame) => supervisor.push(frame),
      setGlossary: (terms) => supervisor.configure({ glossary: terms }),
      setLanguage: (language) => supervisor.configure({ language }),
      stop: async () => {
        // The words of the open utterance are on the displays already (a partial, its committed start settled):
        // they go out as a final line instead of being withdrawn with the worker.
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([supervisor.flush(), new Promise<void>((resolve) => (timer = setTimeout(resolve, FLUSH_ON_STOP_MS)))]);
        clearTimeout(timer);
        clearInterval(lagTimer);
        return supervisor.stop();
      },
    };
  };
}
