import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { findCatalogModel, MODEL_CATALOG } from './catalog';
import { downloadModel, type DownloadProgress } from './download';
import { generateGgmlModel } from './generate-ggml';
import { importModelFile } from './import';
import { listInstalledModels } from './installed';

const root = path.resolve(import.meta.dirname, '../test-artifacts/models-download');
const source = path.join(root, 'source.bin');
let model: Buffer;
let sha256: string;
let sha1: string;

/** A model server on 127.0.0.1 with Range support; `cutAfter` makes the next full request drop mid-transfer. */
let server: Server;
let baseUrl: string;
const seen: { range?: string }[] = [];
let cutAfter: number | undefined;

beforeAll(async () => {
  mkdirSync(root, { recursive: true });
  await generateGgmlModel({ preset: 'test', path: source, seed: 3 });
  model = readFileSync(source);
  sha256 = createHash('sha256').update(model).digest('hex');
  sha1 = createHash('sha1').update(model).digest('hex');
  server = createServer((req, res) => {
    const range = req.headers.range;
    seen.push(range ? { range } : {});
    if (req.url !== '/ggml-test.bin') {
      res.writeHead(404).end();
      return;
    }
    const m = range ? /^bytes=(\d+)-$/.exec(range) : null;
    const start = m ? Number(m[1]) : 0;
    if (start >= model.length) {
      res.writeHead(416, { 'Content-Range': `bytes */${model.length}` }).end();
      return;
    }
    const body = model.subarray(start);
    res.writeHead(m ? 206 : 200, {
      'Content-Length': String(body.length),
      'Accept-Ranges': 'bytes',
      ...(m ? { 'Content-Range': `bytes ${start}-${model.length - 1}/${model.length}` } : {}),
    });
    if (cutAfter !== undefined) {
      const n = cutAfter;
      cutAfter = undefined;
      res.write(body.subarray(0, n), () => res.destroy());
      return;
    }
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
});

let dir: string;
beforeEach((ctx) => {
  dir = path.join(root, ctx.task.name.replace(/\W+/g, '-'));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  seen.length = 0;
});

describe('model catalog', () => {
  it('lists the five families with quantized variants, whisper.cpp URLs and published SHA-1s', () => {
    const families = new Set(MODEL_CATALOG.map((m) => m.family));
    expect([...families]).toEqual(['tiny', 'base', 'small', 'medium', 'large-v3-turbo']);
    for (const family of families) {
      expect(MODEL_CATALOG.filter((m) => m.family === family && m.weights !== 'f16').length).toBeGreaterThan(0);
    }
    expect(findCatalogModel('base')?.url).toBe('https://huggingface.co/ggerganov/whisper.cpp/resolve/main/ggml-base.bin');
    expect(findCatalogModel('base')?.sha1).toBe('465707469ff3a37a2b9b8d8f89f2f99de7299dac');
    for (const m of MODEL_CATALOG) expect(m.sha1, m.id).toMatch(/^[0-9a-f]{40}$/);
    expect(new Set(MODEL_CATALOG.map((m) => m.sha1)).size).toBe(MODEL_CATALOG.length);
  });
});

describe('downloadModel', () => {
  it('downloads with progress, verifies SHA-256, SHA-1 and structure, and renames into place', async () => {
    const dest = path.join(dir, 'ggml-test.bin');
    const progress: DownloadProgress[] = [];
    const result = await downloadModel({ url: `${baseUrl}/ggml-test.bin`, dest, sha256, sha1, onProgress: (p) => progress.push(p) });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.verified).toEqual(['sha256', 'sha1', 'structure']);
    expect(result.value.resumed).toBe(false);
    expect(readFileSync(dest).equals(model)).toBe(true);
    expect(existsSync(`${dest}.part`)).toBe(false);
    expect(progress.at(-1)).toEqual({ receivedBytes: model.length, totalBytes: model.length });
    for (let i = 1; i < progress.length; i++) {
      expect(progress[i]!.receivedBytes).toBeGreaterThan(progress[i - 1]!.receivedBytes);
    }
  });

  it('keeps the part of an interrupted transfer and resumes it with a Range request', async () => {
    const dest = path.join(dir, 'ggml-test.bin');
    cutAfter = 3_000_000;
    const first = await downloadModel({ url: `${baseUrl}/ggml-test.bin`, dest, sha256 });
    expect(!first.ok && first.error.code).toBe('DOWNLOAD_INTERRUPTED');
    expect(existsSync(dest)).toBe(false);
    const partBytes = statSync(`${dest}.part`).size;
    expect(partBytes).toBeGreaterThan(0);
    expect(partBytes).toBeLessThan(model.length);

    const second = await downloadModel({ url: `${baseUrl}/ggml-test.bin`, dest, sha256 });
    expect(second.ok).toBe(true);
    expect(second.ok && second.value.resumed).toBe(true);
    expect(seen.at(-1)).toEqual({ range: `bytes=${partBytes}-` });
    expect(readFileSync(dest).equals(model)).toBe(true);
    expect(existsSync(`${dest}.part`)).toBe(false);
  });

  it('deletes a download whose checksum does not match and leaves no model behind', async () => {
    const dest = path.join(dir, 'ggml-test.bin');
    const wrong = sha256.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    const result = await downloadModel({ url: `${baseUrl}/ggml-test.bin`, dest, sha256: wrong });
    expect(!result.ok && result.error.code).toBe('DOWNLOAD_CHECKSUM_MISMATCH');
    expect(!result.ok && result.error.message).toContain(sha256);
    expect(existsSync(dest)).toBe(false);
    expect(existsSync(`${dest}.part`)).toBe(false);
  });

  it('reports HTTP errors and refuses a file that is not a ggml model even without a checksum', async () => {
    const missing = await downloadModel({ url: `${baseUrl}/nope.bin`, dest: path.join(dir, 'nope.bin') });
    expect(!missing.ok && missing.error.code).toBe('DOWNLOAD_HTTP');
    // A stale, corrupt part: resumed, then refused by the structure check and deleted.
    const dest = path.join(dir, 'ggml-test.bin');
    writeFileSync(`${dest}.part`, Buffer.alloc(1000, 7));
    const corrupt = await downloadModel({ url: `${baseUrl}/ggml-test.bin`, dest });
    expect(!corrupt.ok && corrupt.error.code).toBe('MODEL_NOT_GGML');
    expect(existsSync(`${dest}.part`)).toBe(false);
    expect(existsSync(dest)).toBe(false);
  });
});

describe('import and installed models', () => {
  it('imports a valid file atomically, refuses a truncated one, and lists what is installed', async () => {
    const modelsDir = path.join(dir, 'models');
    const imported = await importModelFile(source, modelsDir, { name: 'ggml-base.bin' });
    expect(imported.ok).toBe(true);
    expect(readFileSync(path.join(modelsDir, 'ggml-base.bin')).equals(model)).toBe(true);

    const truncated = path.join(dir, 'cut.bin');
    writeFileSync(truncated, model.subarray(0, model.length / 2));
    const refused = await importModelFile(truncated, modelsDir);
    expect(!refused.ok && refused.error.code).toBe('MODEL_TRUNCATED');
    expect(existsSync(path.join(modelsDir, 'cut.bin'))).toBe(false);
    const badName = await importModelFile(source, modelsDir, { name: '../escape.bin' });
    expect(!badName.ok && badName.error.code).toBe('IMPORT_BAD_NAME');

    writeFileSync(path.join(modelsDir, 'broken.bin'), Buffer.from('not a model'));
    writeFileSync(path.join(modelsDir, 'ggml-small.bin.part'), Buffer.alloc(10));
    const installed = await listInstalledModels(modelsDir);
    expect(installed.map((m) => m.file)).toEqual(['broken.bin', 'ggml-base.bin']);
    expect(installed[0]!.error?.code).toBe('MODEL_NOT_GGML');
    expect(installed[1]!.catalog?.id).toBe('base');
    expect(installed[1]!.info?.hparams.nTextLayer).toBe(3);
    expect(await listInstalledModels(path.join(dir, 'none'))).toEqual([]);
  });
});
