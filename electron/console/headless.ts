/**
 * The booth console without Electron: the same core, served to a browser by the console server.
 *
 *   npx tsx electron/console/headless.ts [--port 7400] [--host 127.0.0.1] [--allow-host <name>]...
 *       [--data-dir <dir>] [--static-dir out/renderer] [--token <t>] [--models-dir <dir>]... [--stt-test-engine]
 *
 * Open the printed link in Chromium: it carries the access token after `#`, which the console always requires
 * (also on loopback), since whoever reaches the console controls it (see console-access.ts). Speech-to-text
 * workers are Node child processes running electron/stt/stt-worker.ts.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { lanAddresses } from '../node/lan-addresses';
import { nodeWorkerSpawner } from '../stt/node-worker';
import { ConsoleCore, ConsoleStartError, stderrCoreLogger } from './console-core';
import { startConsoleServer } from './console-server';
import { modelResolver } from './model-resolver';
import { supervisorSttFactory } from './stt-supervisor-source';

const repoRoot = resolve(import.meta.dirname, '..', '..');

const USAGE = `Usage: tsx electron/console/headless.ts [options]
  --port <n>           console page and API port (default 7400; 0 = any)
  --host <addr>        listen address (default 127.0.0.1; 0.0.0.0 to open it from other machines)
  --allow-host <name>  a name of this machine the browser may use besides its addresses (repeatable)
  --data-dir <dir>     settings, session records, embedded hub journal (default ~/.tarjuman or $TARJUMAN_DATA_DIR)
  --static-dir <dir>   built renderer (default out/renderer; run npm run build first)
  --token <t>          access token, 16+ characters (default $TARJUMAN_CONSOLE_TOKEN; else a new one at each start)
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
        'allow-host': { type: 'string', multiple: true },
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
  const token = args.token ?? process.env['TARJUMAN_CONSOLE_TOKEN'] ?? randomBytes(18).toString('base64url');
  if (token.length < 16 || !/^[\x21-\x7e]+$/.test(token)) {
    process.stderr.write(`--token must be 16 or more printable characters without spaces\n`);
    return 2;
  }
  const allowedHosts = args['allow-host'] ?? [];
  const dataDir = resolve(args['data-dir'] ?? process.env['TARJUMAN_DATA_DIR'] ?? join(homedir(), '.tarjuman'));
  const staticDir = resolve(args['static-dir'] ?? join(repoRoot, 'out', 'renderer'));
  const modelDirs = (args['models-dir'] ?? [join(repoRoot, 'models'), join(repoRoot, 'models', 'generated')]).map((d) => resolve(d));
  const testEngine = args['stt-test-engine'] === true;

  // Before anything is started, logged or created (a session folder): is the port free?
  const portProblem = await portInUse(host, port);
  if (portProblem) {
    process.stderr.write(`The console did not start: ${portProblem}\n`);
    return 1;
  }
  let core: ConsoleCore;
  try {
    core = await ConsoleCore.create({
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
  } catch (err) {
    if (err instanceof ConsoleStartError) {
      process.stderr.write(`The console did not start: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  let server: Awaited<ReturnType<typeof startConsoleServer>>;
  try {
    server = await startConsoleServer({ core, port, host, staticDir, token, allowedHosts, logger: stderrCoreLogger });
  } catch (err) {
    await core.close();
    process.stderr.write(`The console did not start: ${(err as Error).message}\n`);
    return 1;
  }
  const elsewhere = host === '0.0.0.0' || host === '::' ? lanAddresses() : [];
  const links = [server.link, ...[...elsewhere, ...allowedHosts].map((name) => server.linkVia(name))];
  process.stdout.write(`Tarjuman console (open the link; it carries the access token):\n${links.map((l) => `  ${l}\n`).join('')}(data: ${dataDir})\n`);

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

/** Why `host:port` cannot be listened on (in use, not an address of this machine...), or null when it can. */
function portInUse(host: string, port: number): Promise<string | null> {
  if (port === 0) return Promise.resolve(null);
  return new Promise((resolvePort) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => {
      resolvePort(
        err.code === 'EADDRINUSE'
          ? `port ${port} on ${host} is in use (another console or hub?); pick another with --port.`
          : `cannot listen on ${host}:${port} (${err.code ?? err.message}).`,
      );
    });
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolvePort(null)));
  });
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
