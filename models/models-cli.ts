/**
 * `npm run models -- <command>`: the model manager from the command line (the console and `npm run transcribe`
 * find models in the same folder).
 *
 *   list                              what is in the models folder, each file validated, and the catalog
 *   download <catalog id> [--mirror <base url>]
 *                                     from Hugging Face (or a venue mirror holding the same file names), with
 *                                     progress, resume of an interrupted download, SHA-1 and structure checks,
 *                                     and an atomic rename
 *   import <file> [--name <file.bin>] a model from disk (a USB stick): validated, copied, renamed into place
 *
 * Options: --dir <folder> (default: TARJUMAN_MODELS_DIR, else the repository's models/ folder).
 * Bad input gets one line on stderr and a non-zero exit; nothing half-written is left under a model's name.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { findCatalogModel, MODEL_CATALOG } from './catalog';
import { downloadModel } from './download';
import { importModelFile } from './import';
import { defaultModelsDir, listInstalledModels } from './installed';
import { describeModel, formatMiB } from './validate';

function die(message: string, code = 1): never {
  process.stderr.write(`models: ${message}\n`);
  process.exit(code);
}

const USAGE = 'usage: npm run models -- list | download <id> [--mirror <url>] | import <file> [--name <file.bin>] [--dir <folder>]';

const mb = formatMiB;

async function list(dir: string): Promise<void> {
  const installed = await listInstalledModels(dir);
  // The console and the tests also take the generated models (random weights) from models/generated.
  const generatedDir = path.join(dir, 'generated');
  const generated = await listInstalledModels(generatedDir);
  const show = (m: (typeof installed)[number]): void => {
    const what = m.info ? describeModel(m.info) : `NOT USABLE: ${m.error?.message}`;
    console.log(`  ${m.file.padEnd(32)} ${m.catalog ? m.catalog.id.padEnd(22) : ''.padEnd(22)} ${what}`);
  };
  console.log(`models folder: ${dir}`);
  if (installed.length === 0) {
    console.log(generated.length > 0 ? '  (no downloaded or imported model: only the generated ones below)' : '  (no model installed)');
  }
  installed.forEach(show);
  if (generated.length > 0) {
    console.log(`generated models (${generatedDir}): random weights, real timings, garbage text (tests, benchmarks):`);
    generated.forEach(show);
  }
  const have = new Set(installed.filter((m) => m.info).map((m) => m.file));
  console.log('catalog (npm run models -- download <id>):');
  for (const c of MODEL_CATALOG) {
    console.log(`  ${c.id.padEnd(22)} ${`~${mb(c.approxBytes)}`.padEnd(12)} ${have.has(c.file) ? 'installed' : ''}`);
  }
}

async function download(dir: string, id: string, mirror: string | undefined): Promise<void> {
  const entry = findCatalogModel(id);
  if (!entry) die(`no catalog model "${id}" (npm run models -- list shows the catalog)`);
  const url = mirror ? `${mirror.replace(/\/+$/, '')}/${entry.file}` : entry.url;
  const dest = path.join(dir, entry.file);
  const tty = process.stderr.isTTY === true;
  let shown = -1;
  const started = Date.now();
  const result = await downloadModel({
    url,
    dest,
    ...(entry.sha256 ? { sha256: entry.sha256 } : {}),
    ...(entry.sha1 ? { sha1: entry.sha1 } : {}),
    onProgress: ({ receivedBytes, totalBytes }) => {
      const pct = totalBytes ? Math.floor((100 * receivedBytes) / totalBytes) : -1;
      if (pct === shown || (!tty && pct % 10 !== 0)) return;
      shown = pct;
      const line = `models: ${entry.file} ${mb(receivedBytes)}${totalBytes ? ` of ${mb(totalBytes)} (${pct}%)` : ''}`;
      process.stderr.write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
    },
  });
  if (tty) process.stderr.write('\r\x1b[2K');
  if (!result.ok) {
    const resumable = result.error.code === 'DOWNLOAD_INTERRUPTED' && existsSync(`${dest}.part`);
    const hint = resumable ? ' (run the same command again to resume)' : '';
    die(`${entry.file}: ${result.error.message}${hint}`);
  }
  const d = result.value;
  const seconds = (Date.now() - started) / 1000;
  console.log(
    `${d.path}: ${mb(d.bytes)} in ${seconds.toFixed(1)} s${d.resumed ? ' (resumed)' : ''}, ` +
      `verified ${d.verified.join(' + ')}, sha256 ${d.sha256}`,
  );
}

async function importFile(dir: string, source: string, name: string | undefined): Promise<void> {
  const result = await importModelFile(path.resolve(source), dir, name ? { name } : {});
  if (!result.ok) die(`${source}: ${result.error.message}`);
  console.log(`${result.value.path}: ${result.value.weightType}, ${mb(result.value.fileBytes)}, imported`);
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: { dir: { type: 'string' }, mirror: { type: 'string' }, name: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (err) {
    die(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`, 2);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const dir = path.resolve(values.dir ?? defaultModelsDir());
  const [command, arg, ...extra] = positionals;
  if (extra.length > 0) die(USAGE, 2);
  if (command === 'list' && !arg) return list(dir);
  if (command === 'download' && arg) return download(dir, arg, values.mirror);
  if (command === 'import' && arg) return importFile(dir, arg, values.name);
  die(USAGE, 2);
}

// `npm run models -- list | head` closes stdout early: that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => process.exit(err.code === 'EPIPE' ? 0 : 1));
// Ctrl-C during a download keeps the .part for a later resume; nothing else to clean up.
process.on('SIGINT', () => die('interrupted (an unfinished download resumes when run again)', 130));

main().catch((err: unknown) => die(err instanceof Error ? err.message : String(err)));
