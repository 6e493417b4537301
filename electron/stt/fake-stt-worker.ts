/**
 * A speech-to-text worker for tests: the product's worker runtime with an engine that is not whisper, chosen by
 * TARJUMAN_FAKE_STT_ENGINE: `tone` (sine tones decoded into words, see fake-engines.ts), `hang` (a pass never
 * finishes) or `crash-on-load` (the process exits while loading). Spawned by `nodeWorkerSpawner({ fakeEngine })`.
 */
import { HangingEngine, ToneEngine } from './fake-engines';
import { runSttWorker } from './stt-worker-runtime';

/** The engines this entry offers. */
export type FakeEngineKind = 'tone' | 'hang' | 'crash-on-load';

runSttWorker({
  async loadEngine(init) {
    const kind = process.env['TARJUMAN_FAKE_STT_ENGINE'] as FakeEngineKind | undefined;
    switch (kind) {
      case 'hang':
        return { engine: new HangingEngine(), name: 'fake-hang' };
      case 'crash-on-load':
        process.exit(3);
        break;
      case 'tone':
      default:
        return { engine: new ToneEngine(init.language === 'auto' ? 'en' : init.language), name: 'fake-tone' };
    }
  },
});
