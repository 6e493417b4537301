/**
 * The speech-to-text worker process of the product: whisper through smart-whisper (smart-whisper-engine.ts, the
 * only file that loads the native addon), behind the shared worker runtime (stt-worker-runtime.ts).
 */
import { STT_ERROR_CODES, type WorkerInit } from '../common/stt-protocol';
import { warmUpEngine, type SpeechEngine } from './engine';
import { errorText, runSttWorker, type LoadedEngine } from './stt-worker-runtime';

async function loadWhisper(init: WorkerInit): Promise<LoadedEngine> {
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
  // One pass over silence before saying ready (see warmUpEngine).
  try {
    await warmUpEngine(whisper, { language: init.language, threads: init.threads });
  } catch (err) {
    return { code: STT_ERROR_CODES.MODEL_LOAD_FAILED, message: `the model loads but cannot decode: ${errorText(err)}` };
  }
  return { engine: whisper, name: 'smart-whisper' };
}

runSttWorker({ loadEngine: loadWhisper });
