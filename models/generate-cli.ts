/**
 * `npm run models:generate -- --preset test|tiny|base [--ftype f16|q8_0|q5_1] [--out <file>] [--fixed-tokens N]
 * [--seed N]`: writes a generated ggml whisper model (random weights) and prints its path. Without --out:
 * models/generated/<preset>.bin (f16) or models/generated/<preset>-<ftype>.bin.
 */
import { parseArgs } from 'node:util';
import {
  GENERATED_FTYPES,
  generateGgmlModel,
  generatedModelPath,
  type GeneratedFtype,
  type GeneratedPreset,
} from './generate-ggml';
import { formatMiB, validateModelFile } from './validate';

const { values } = parseArgs({
  options: {
    preset: { type: 'string', default: 'test' },
    ftype: { type: 'string', default: 'f16' },
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
if (!(GENERATED_FTYPES as readonly string[]).includes(values.ftype)) {
  console.error(`models:generate: --ftype must be one of ${GENERATED_FTYPES.join(', ')}`);
  process.exit(2);
}
const preset = values.preset as GeneratedPreset;
const ftype = values.ftype as GeneratedFtype;
const target = values.out ?? generatedModelPath(preset, ftype);
const started = Date.now();
await generateGgmlModel({
  preset,
  path: target,
  ftype,
  ...(values['fixed-tokens'] ? { fixedTokens: Number(values['fixed-tokens']) } : {}),
  ...(values.seed ? { seed: Number(values.seed) } : {}),
});
const checked = await validateModelFile(target);
if (!checked.ok) {
  console.error(`models:generate: the written file does not validate: ${checked.error.message}`);
  process.exit(1);
}
const what = `${preset}, ${checked.value.weightType}, ${formatMiB(checked.value.fileBytes)}, ${checked.value.tensorCount} tensors`;
console.log(`${target} (${what}, ${Date.now() - started} ms)`);
