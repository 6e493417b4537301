/**
 * The booth console without Electron: the same core, served to a browser by the console server.
 *
 *   npx tsx electron/console/headless.ts [--port 7400] [--host 127.0.0.1] [--data-dir <dir>]
 *       [--static-dir out/renderer] [--token <t>] [--models-dir <dir>]... [--stt-test-engine]
 *
 * Open the printed URL in Chromium. Speech-to-text workers are Node child processes running
 * electron/stt/stt-worker.ts. Listening on anything but loopback needs an access token (one is made and printed
 * when none is given), since whoever reaches the console controls it.
 */
import { randomBytes } from 'node:crypto';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { nodeWorkerSpawner } from '../stt/node-worker';
import { ConsoleCore, stderrCoreLogger } from './console-core';
import { startConsoleServer } from './console-server';
import { modelResolver } from './model-resolver';
import { supervisorSttFactory } from './stt-supervisor-source';

const repoRoot = resolve(import.meta.dirname, '..', '..');

const USAGE = `Usage: tsx electron/console/headless.ts [options]
  --port <n>           console page and API port (default 7400; 0 = any)
  --host <addr>        listen address (default 127.0.0.1)
  --data-dir <dir>     settings, session records, embedded hub journal (default ~/.tarjuman or $TARJUMAN_DATA_DIR)
  --static-dir <dir>   built renderer (default out/renderer; run npm run build first)
  --token <t>          access token (default $TARJUMAN_CONSOLE_TOKEN; made up when --host is not loopback)
  --models-dir <dir>   where to look for ggml models (repeatable; default models/ then models/generated)
  --stt-test-engine    use the tone test engine instead of whisper (tests, demos without a model)
  --help`;

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      options: {
        port: { type: 'string', default: '7400' },
        host: { type: 'string', default: '127.0.0.1' },
        'data-dir': { type: 'string' },
        'static-dir': { type: 'string' },
        token: { type: 'string' },
        'models-dir': { type: 'string', multiple: true },
        'stt-test-engine': { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    }).values;
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const port = Number(args.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`--port must be 0-65535\n`);
    return 2;
  }
  const host = args.host ?? '127.0.0.1';
  const loopback = host === '127.0.0.1' || host === 'localhost' || host === '::1';
  let token = args.token ?? process.env['TARJUMAN_CONSOLE_TOKEN'];
  if (!token && !loopback) token = randomBytes(12).toString('base64url');
  const dataDir = resolve(args['data-dir'] ?? process.env['TARJUMAN_DATA_DIR'] ?? join(homedir(), '.tarjuman'));
  const staticDir = resolve(args['static-dir'] ?? join(repoRoot, 'out', 'renderer'));
  const modelDirs = (args['models-dir'] ?? [join(repoRoot, 'models'), join(repoRoot, 'models', 'generated')]).map((d) => resolve(d));
  const testEngine = args['stt-test-engine'] === true;

  const core = await ConsoleCore.create({
    dataDir,
    shell: 'browser',
    hubStaticDir: staticDir,
    logger: stderrCoreLogger,
    sttFactory: supervisorSttFactory({
      spawnWorker: nodeWorkerSpawner(testEngine ? { fakeEngine: 'tone' } : {}),
      ...(testEngine ? { vad: 'energy' as const } : {}),
    }),
    resolveModel: testEngine ? async (s) => ({ ok: true, value: s || 'tone-engine' }) : modelResolver(modelDirs),
    modelDirs,
  });
  const server = await startConsoleServer({ core, port, host, staticDir, ...(token ? { token } : {}) });
  const link = token ? `${server.url}/?token=${encodeURIComponent(token)}` : `${server.url}/`;
  process.stdout.write(`Tarjuman console: ${link}\n(data: ${dataDir})\n`);

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void (async () => {
      await server.close();
      await core.close();
      process.exit(0);
    })();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return -1;
}

void main().then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    process.stderr.write(`The console did not start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
