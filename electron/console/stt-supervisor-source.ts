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
      stop: () => {
        clearInterval(lagTimer);
        return supervisor.stop();
      },
    };
  };
}
