/**
 * `npm run models:generate -- --preset test|tiny|base|small|large-v3-turbo [--ftype f16|q8_0|q5_1|q5_0|q4_0] [--out <file>] [--fixed-tokens N]
 * [--seed N]`: writes a generated ggml whisper model (random weights) and prints its path. Without --out:
 * models/generated/<preset>.bin (f16) or models/generated/<preset>-<ftype>.bin.
 */
import { parseArgs } from 'node:util';
import {
  GENERATED_FTYPES,
  GENERATED_PRESETS,
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

if (!(GENERATED_PRESETS as readonly string[]).includes(values.preset)) {
  console.error(`models:generate: --preset must be one of ${GENERATED_PRESETS.join(', ')}`);
  process.exit(2);
}
if (!(GENERATED_FTYPES as readonly string[]).includes(values.ftype)) {
  console.error(`models:generate: --ftype must be one of ${GENERATED_FTYPES.join(', ')}`);
  process.exit(2);
}
const preset = values.preset as GeneratedPreset;
const ftype = values.ftype as GeneratedFtype;
const fixedTokens = values['fixed-tokens'] ? Number(values['fixed-tokens']) : undefined;
const target = values.out ?? generatedModelPath(preset, ftype, fixedTokens);
const started = Date.now();
await generateGgmlModel({
  preset,
  path: target,
  ftype,
  ...(fixedTokens !== undefined ? { fixedTokens } : {}),
  ...(values.seed ? { seed: Number(values.seed) } : {}),
});
const checked = await validateModelFile(target);
if (!checked.ok) {
  console.error(`models:generate: the written file does not validate: ${checked.error.message}`);
  process.exit(1);
}
const what = `${preset}, ${checked.value.weightType}, ${formatMiB(checked.value.fileBytes)}, ${checked.value.tensorCount} tensors`;
console.log(`${target} (${what}, ${Date.now() - started} ms)`);
