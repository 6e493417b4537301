import { execFile, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ensureGeneratedModel } from './generate-ggml';

const CLI = fileURLToPath(new URL('./models-cli.ts', import.meta.url));

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', CLI, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('npm run models', () => {
  it('imports a model from disk and lists it; refuses a corrupt file and leaves nothing behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tarjuman-models-'));
    const imported = await run(['import', await ensureGeneratedModel('test'), '--dir', dir]);
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(/test\.bin: f16, 8\.0 MiB, imported/);
    const listed = await run(['list', '--dir', dir]);
    expect(listed.stdout).toMatch(/^ {2}test\.bin +multilingual|test\.bin .*multilingual, f16/m);
    expect(listed.stdout).toMatch(/^ {2}base-q8_0 +~78 MiB/m);

    const corrupt = join(mkdtempSync(join(tmpdir(), 'tarjuman-usb-')), 'ggml-base.bin');
    writeFileSync(corrupt, readFileSync(await ensureGeneratedModel('test')).subarray(0, 100_000));
    const refused = await run(['import', corrupt, '--dir', dir]);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(/^models: .*ggml-base\.bin: .*(truncated|size)/i);
    expect(readdirSync(dir).sort()).toEqual(['test.bin']);
  });

  it('lists the generated models the console uses beside the folder\'s own, answers --help, and says MiB everywhere', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tarjuman-models-'));
    mkdirSync(join(dir, 'generated'));
    copyFileSync(await ensureGeneratedModel('test'), join(dir, 'generated', 'test.bin'));
    const listed = await run(['list', '--dir', dir]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).not.toContain('(no model installed)');
    expect(listed.stdout).toContain('(no downloaded or imported model: only the generated ones below)');
    expect(listed.stdout).toMatch(/^generated models \(.*generated\): random weights/m);
    expect(listed.stdout).toMatch(/^ {2}test\.bin .*multilingual, f16, 8 MiB$/m);
    expect(listed.stdout).not.toMatch(/\bMB\b/);
    const help = await run(['--help']);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toMatch(/^usage: npm run models -- list/);
    const truncated = join(dir, 'ggml-cut.bin');
    writeFileSync(truncated, readFileSync(await ensureGeneratedModel('test')).subarray(0, 3_000_000));
    const refused = await run(['import', truncated, '--dir', mkdtempSync(join(tmpdir(), 'tarjuman-models-'))]);
    expect(refused.stderr).toMatch(/truncated: 2\.9 MiB \(3000000 bytes\) of the 8\.0 MiB/);
  });

  it('keeps the files of an interrupted download or import out of git', () => {
    const root = fileURLToPath(new URL('..', import.meta.url));
    for (const file of ['models/ggml-base-q8_0.bin.part', 'models/.ggml-base.bin.import-123-456']) {
      expect(spawnSync('git', ['check-ignore', '-q', file], { cwd: root }).status, file).toBe(0);
    }
  });

  it('downloads from a mirror, and refuses a file whose SHA-1 is not the published one without leaving it', async () => {
    const wrong = readFileSync(await ensureGeneratedModel('test'));
    let requests = 0;
    const server = createServer((req, res) => {
      requests++;
      if (req.url !== '/ggml-tiny-q8_0.bin') return void res.writeHead(404).end();
      res.writeHead(200, { 'content-length': wrong.length }).end(wrong);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      const dir = mkdtempSync(join(tmpdir(), 'tarjuman-models-'));
      const r = await run(['download', 'tiny-q8_0', '--mirror', mirror, '--dir', dir]);
      expect(requests).toBe(1);
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n').at(-1)).toMatch(/^models: ggml-tiny-q8_0\.bin: .*(SHA-1|sha1|checksum)/i);
      expect(existsSync(join(dir, 'ggml-tiny-q8_0.bin'))).toBe(false);
      expect(readdirSync(dir)).toEqual([]);
      const unknown = await run(['download', 'tiny-q9', '--dir', dir]);
      expect(unknown.stderr.trim()).toBe('models: no catalog model "tiny-q9" (npm run models -- list shows the catalog)');
    } finally {
      server.close();
    }
  });
});
