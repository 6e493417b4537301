import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SttRealtime } from '../common/stt-protocol';
import { recordingLogger } from '../hub/test-support';
import { MODEL_RUNS_FILE, ModelRuns } from './model-runs';
import { cleanupTempDirs, tempDir } from './test-support';

afterEach(() => cleanupTempDirs());

function report(verdict: SttRealtime['verdict'], rtf: number, glossaryTerms?: number): SttRealtime {
  return {
    verdict, level: 'normal', stepSeconds: 1, bufferCapSeconds: 8, rtf, measuredSeconds: 60, lagSeconds: 1, maxLagSeconds: 2, droppedSeconds: 0,
    ...(glossaryTerms !== undefined ? { glossaryTerms } : {}),
  };
}

describe('ModelRuns: how each model did on this machine', () => {
  it('keeps the verdict a run reached per model file, on disk, and skips measuring and repeats', async () => {
    const dir = await tempDir();
    const runs = await ModelRuns.load(dir, recordingLogger());
    expect(runs.note('/models/ggml-small.bin', 'ggml-small.bin', report('measuring', 0.4), 1000)).toBe(false);
    expect(runs.get('ggml-small.bin')).toBeUndefined();
    expect(runs.note('/models/ggml-small.bin', 'ggml-small.bin', report('keeps-up', 0.4512, 15), 2000)).toBe(true);
    expect(runs.note('/models/ggml-small.bin', 'ggml-small.bin', report('keeps-up', 0.4549, 15), 3000)).toBe(false);
    expect(runs.get('ggml-small.bin')).toEqual({ verdict: 'keeps-up', rtf: 0.45, glossaryTerms: 15, at: 2000 });
    // A later verdict of the same model replaces it (the run fell behind after its first minute).
    expect(runs.note('/models/ggml-small.bin', 'ggml-small.bin', report('behind', 0.61, 15), 4000)).toBe(true);
    expect(runs.note('/opt/app/models/ggml-base.bin', '', report('keeps-up', 0.27), 5000)).toBe(true);
    await runs.flushed();

    const again = await ModelRuns.load(dir, recordingLogger());
    expect(again.get('ggml-small.bin')).toEqual({ verdict: 'behind', rtf: 0.61, glossaryTerms: 15, at: 4000 });
    // The Model setting finds its run by file name, by path, or (a catalog name, the default) by the setting itself.
    expect(again.forSetting('ggml-small.bin')).toMatchObject({ model: 'ggml-small.bin', verdict: 'behind' });
    expect(again.forSetting('/media/usb/ggml-small.bin')).toMatchObject({ model: 'ggml-small.bin', verdict: 'behind' });
    expect(again.forSetting('')).toMatchObject({ model: 'ggml-base.bin', verdict: 'keeps-up', rtf: 0.27 });
    expect(again.forSetting('ggml-large-v3-turbo.bin')).toBeUndefined();
  });

  it('starts empty on a damaged record (guidance only: never a reason not to start) and writes a sound one', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, MODEL_RUNS_FILE), '{"ggml-small.bin": {"verdict": "fast"');
    const logger = recordingLogger();
    const runs = await ModelRuns.load(dir, logger);
    expect(runs.get('ggml-small.bin')).toBeUndefined();
    expect(logger.text()).toMatch(/^warn model runs record damaged/m);
    runs.note('/m/ggml-small.bin', 'ggml-small.bin', report('tight', 0.52), 7000);
    await runs.flushed();
    expect(JSON.parse(await readFile(join(dir, MODEL_RUNS_FILE), 'utf8'))).toEqual({
      'ggml-small.bin': { verdict: 'tight', rtf: 0.52, at: 7000, setting: 'ggml-small.bin' },
    });
  });

  it('remembers the 50 models run last', async () => {
    const runs = await ModelRuns.load(await tempDir(), recordingLogger());
    for (let i = 0; i < 55; i++) runs.note(`/m/model-${i}.bin`, `model-${i}.bin`, report('keeps-up', 0.3), i);
    expect(runs.get('model-4.bin')).toBeUndefined();
    expect(runs.get('model-5.bin')).toBeDefined();
    expect(runs.get('model-54.bin')).toBeDefined();
  });
});
