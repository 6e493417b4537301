/**
 * `npm run models:generate -- --preset test|tiny|base [--out <file>] [--fixed-tokens N] [--seed N]`: writes a
 * generated ggml whisper model (random weights) and prints its path. Without --out: models/generated/<preset>.bin.
 */
import { parseArgs } from 'node:util';
import { generateGgmlModel, generatedModelPath, type GeneratedPreset } from './generate-ggml';
import { validateModelFile } from './validate';

const { values } = parseArgs({
  options: {
    preset: { type: 'string', default: 'test' },
    out: { type: 'string' },
    'fixed-tokens': { type: 'string' },
    seed: { type: 'string' },
  },
});

const presets: readonly string[] = ['test', 'tiny', 'base'];
if (!presets.includes(values.preset)) {
  console.error(`models:generate: --preset must be one of ${presets.join(', ')}`);
  process.exit(2);
}
const preset = values.preset as GeneratedPreset;
const target = values.out ?? generatedModelPath(preset);
const started = Date.now();
await generateGgmlModel({
  preset,
  path: target,
  ...(values['fixed-tokens'] ? { fixedTokens: Number(values['fixed-tokens']) } : {}),
  ...(values.seed ? { seed: Number(values.seed) } : {}),
});
const checked = await validateModelFile(target);
if (!checked.ok) {
  console.error(`models:generate: the written file does not validate: ${checked.error.message}`);
  process.exit(1);
}
const mb = (checked.value.fileBytes / 1e6).toFixed(1);
console.log(`${target} (${preset}, ${mb} MB, ${checked.value.tensorCount} tensors, ${Date.now() - started} ms)`);
