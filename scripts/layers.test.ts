import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint();

async function importErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layer arrows (HOUSE-STYLE.md section 1)', () => {
  it('refuses a common file that imports node, electron or a higher layer', async () => {
    expect(await importErrors('electron/common/x.ts', "import { readFile } from 'node:fs';\nexport { readFile };\n")).toHaveLength(1);
    expect(await importErrors('electron/common/x.ts', "import { app } from 'electron';\nexport { app };\n")).toHaveLength(1);
    expect(await importErrors('electron/common/x.ts', "import { a } from '../hub/server';\nexport { a };\n")).toHaveLength(1);
  });

  it('refuses hub -> stt, stt -> hub and renderer -> main imports', async () => {
    expect(await importErrors('electron/hub/x.ts', "import { a } from '../stt/engine';\nexport { a };\n")).toHaveLength(1);
    expect(await importErrors('electron/stt/x.ts', "import { a } from '../hub/server';\nexport { a };\n")).toHaveLength(1);
    expect(await importErrors('renderer/console/x.ts', "import { a } from '../../electron/main/index';\nexport { a };\n")).toHaveLength(1);
  });

  it('allows the downward arrows', async () => {
    expect(await importErrors('electron/hub/x.ts', "import { a } from '../common/protocol';\nimport { createServer } from 'node:http';\nexport { a, createServer };\n")).toHaveLength(0);
    expect(await importErrors('electron/main/x.ts', "import { app } from 'electron';\nimport { a } from '../hub/server';\nexport { a, app };\n")).toHaveLength(0);
    expect(await importErrors('renderer/display/x.ts', "import { a } from '../../electron/common/protocol';\nexport { a };\n")).toHaveLength(0);
  });
});
