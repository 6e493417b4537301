// Lint, including the layer arrows of HOUSE-STYLE.md: a file importing a layer above it fails here.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

/** @param {string[]} layers @param {{node?: boolean, electron?: boolean}} opts */
function forbid(layers, opts = {}) {
  const patterns = layers.map((layer) => ({
    group: [`**/${layer}/**`, `**/${layer}`],
    message: `This layer may not import from ${layer} (see HOUSE-STYLE.md, section 1).`,
  }));
  const paths = [];
  if (!opts.electron) paths.push({ name: 'electron', message: 'Only electron/main and electron/preload import electron.' });
  if (!opts.node) for (const name of nodeBuiltins) paths.push({ name, message: 'This layer runs anywhere: no Node built-ins.' });
  return { 'no-restricted-imports': ['error', { paths, patterns }] };
}

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'models/generated/**', 'test-artifacts/**', 'resources/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } },
  },
  { files: ['electron/common/**'], rules: forbid(['hub', 'stt', 'console', 'main', 'preload', 'renderer', 'models', 'node']) },
  // The shared Node layer (static files, journal, atomic writes, LAN addresses, logger) imports only electron/common.
  { files: ['electron/node/**'], rules: forbid(['hub', 'stt', 'console', 'main', 'preload', 'renderer', 'models'], { node: true }) },
  { files: ['electron/hub/**'], rules: forbid(['stt', 'console', 'main', 'preload', 'renderer'], { node: true }) },
  { files: ['electron/stt/**'], rules: forbid(['hub', 'console', 'main', 'preload', 'renderer'], { node: true }) },
  // The assist command line: Node, on top of electron/common only.
  { files: ['electron/assist/**'], rules: forbid(['hub', 'stt', 'console', 'main', 'preload', 'renderer', 'models'], { node: true }) },
  { files: ['models/**'], rules: forbid(['hub', 'stt', 'electron/console', 'main', 'preload', 'renderer'], { node: true }) },
  { files: ['electron/main/**'], rules: forbid(['renderer', 'preload'], { node: true, electron: true }) },
  // The console core runs in plain Node (the headless console, the tests): no electron, nothing of the shell.
  { files: ['electron/console/**'], rules: forbid(['main', 'renderer', 'preload'], { node: true }) },
  { files: ['electron/preload/**'], rules: forbid(['hub', 'stt', 'console', 'node', 'main', 'renderer', 'models'], { node: false, electron: true }) },
  { files: ['renderer/**'], rules: forbid(['hub', 'stt', 'electron/console', 'electron/node', 'main', 'preload', 'models']) },
  // Tests may start servers and processes beside the code under test.
  { files: ['**/*.test.ts', '**/test-support/**', 'bench/**', 'scripts/**'], rules: { 'no-restricted-imports': 'off' } },
);
