/**
 * `npm run hub`: the caption hub standalone, for a venue machine with no screen.
 *
 *   npm run hub -- --room main:SECRET [--room panel:SECRET2] [--channels floor,ar,en,ru] [--port 7300]
 *                  [--host 0.0.0.0] [--data-dir ./.tarjuman-data] [--config hub.json] [--tls-cert c.pem --tls-key k.pem]
 *
 * Flags override the config file. With no room at all it starts room `main` with a random secret and prints it.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { constants, existsSync, readFileSync } from 'node:fs';
import { access, mkdir, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  DEFAULT_CHANNELS,
  DEFAULT_HUB_PORT,
  displayUrl,
  frameAncestorSchema,
  hubConfigFileSchema,
  phoneUrl,
  type HubConfigFile,
  type RoomConfig,
} from '../common/hub-config';
import { nameSchema } from '../common/ids';
import { FLOOR_CHANNEL } from '../common/protocol';
import { startCaptionHub, type HubOptions } from './caption-hub';
import { boothRelay } from './booth-relay';
import { checkOutputRooms, hubOutputs, type HubOutputs } from './outputs/hub-outputs';
import { OutputFlagError, parseOutputFlag } from './outputs/output-flag';
import type { OutputConfig } from '../common/caption-outputs';
import { redactUrl } from './redis-url';
import { lanAddresses } from '../node/lan-addresses';

const USAGE = `usage: npm run hub -- [--room id:secret]... [--channels floor,ar,en,ru] [--port ${DEFAULT_HUB_PORT}]
                    [--host 0.0.0.0] [--data-dir ./.tarjuman-data] [--no-journal] [--journal-sync write|fsync] [--config hub.json]
                    [--history-limit 500] [--tls-cert cert.pem --tls-key key.pem] [--static-dir out/renderer]
                    [--redis redis://host:6379]   (one node of a hub spanning several processes)
                    [--trust-proxy 1]             (behind a load balancer: client address from X-Forwarded-For)
                    [--frame-ancestors https://venue.example,...]  (sites allowed to embed the display page)
                    [--output kind:room/channel=target]...  (youtube|zoom|teams|obs|file; target env:NAME keeps it out of ps)`;

/** A command-line mistake: printed as one line, exit code 2. */
class UsageError extends Error {}

const REPO_ROOT = resolve(import.meta.dirname, '..', '..');

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new UsageError(`--port wants a number 0-65535, not "${text}"`);
  return port;
}

function parseChannels(text: string): string[] {
  const channels = text.split(',').map((c) => c.trim()).filter((c) => c !== '');
  if (channels.length === 0) throw new UsageError('--channels wants a comma-separated list, e.g. floor,ar,en,ru');
  for (const c of channels) {
    if (!nameSchema.safeParse(c).success) throw new UsageError(`--channels: "${c}" is not a channel name (letters, digits, _ and -)`);
  }
  if (new Set(channels).size !== channels.length) throw new UsageError('--channels: a channel is listed twice');
  return channels;
}

function parseRoom(text: string, channels: string[] | undefined): RoomConfig {
  const colon = text.indexOf(':');
  if (colon <= 0 || colon === text.length - 1) throw new UsageError(`--room wants id:secret, e.g. --room main:Str0ngSecret (got "${text.slice(0, colon > 0 ? colon : 20)}...")`);
  const id = text.slice(0, colon);
  const secret = text.slice(colon + 1);
  if (!nameSchema.safeParse(id).success) throw new UsageError(`--room: "${id}" is not a room id (letters, digits, _ and -)`);
  if (secret.length < 4) throw new UsageError(`--room ${id}: the secret is too short (at least 4 characters; 12 or more recommended)`);
  return { id, secret, ...(channels ? { channels } : {}) };
}

function parseRedisUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--redis wants a URL like redis://127.0.0.1:6379, not "${text.slice(0, 40)}"`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new UsageError('--redis wants a redis:// or rediss:// URL');
  return text;
}

function readConfig(file: string): HubConfigFile {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`--config ${file}: ${(err as Error).message}`);
  }
  const parsed = hubConfigFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(`--config ${file}: ${issue ? `${issue.path.join('.') || 'file'}: ${issue.message}` : 'invalid'}`);
  }
  return parsed.data;
}

function readPem(flag: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`${flag} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

interface CliPlan {
  options: HubOptions;
  generatedSecret: string | null;
  /** The platform outputs the hub runs (a feature in `options.features`), or none. */
  outputs: HubOutputs | null;
}

function plan(argv: string[]): CliPlan | null {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        config: { type: 'string' },
        room: { type: 'string', multiple: true },
        channels: { type: 'string' },
        'data-dir': { type: 'string' },
        'no-journal': { type: 'boolean' },
        'journal-sync': { type: 'string' },
        'history-limit': { type: 'string' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        'static-dir': { type: 'string' },
        redis: { type: 'string' },
        'trust-proxy': { type: 'string' },
        'frame-ancestors': { type: 'string' },
        output: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0] ?? 'bad flags');
  }
  if (values.help) {
    console.log(USAGE);
    return null;
  }
  const configFile = values.config !== undefined ? resolve(values.config) : undefined;
  const config = configFile ? readConfig(configFile) : undefined;
  const relativeToConfig = (p: string): string => (isAbsolute(p) || !configFile ? resolve(p) : join(dirname(configFile), p));
  const channels = values.channels !== undefined ? parseChannels(values.channels) : undefined;
  let rooms: RoomConfig[] = (values.room ?? []).map((r) => parseRoom(r, channels));
  let generatedSecret: string | null = null;
  if (rooms.length === 0 && config) rooms = config.rooms.map((r) => (channels ? { ...r, channels } : r));
  if (rooms.length === 0) {
    generatedSecret = randomBytes(9).toString('base64url');
    rooms = [{ id: 'main', secret: generatedSecret, ...(channels ? { channels } : {}) }];
  }
  if (new Set(rooms.map((r) => r.id)).size !== rooms.length) throw new UsageError('a room id is given twice');
  if ((values['tls-cert'] === undefined) !== (values['tls-key'] === undefined)) {
    throw new UsageError('--tls-cert and --tls-key go together');
  }
  const certFile = values['tls-cert'] ?? (config?.tls ? relativeToConfig(config.tls.cert) : undefined);
  const keyFile = values['tls-key'] ?? (config?.tls ? relativeToConfig(config.tls.key) : undefined);
  let historyLimit = config?.historyLimit;
  if (values['history-limit'] !== undefined) {
    historyLimit = Number(values['history-limit']);
    if (!Number.isInteger(historyLimit) || historyLimit < 10) throw new UsageError('--history-limit wants an integer of at least 10');
  }
  let trustProxy = config?.trustProxy;
  if (values['trust-proxy'] !== undefined) {
    trustProxy = Number(values['trust-proxy']);
    if (!Number.isInteger(trustProxy) || trustProxy < 0 || trustProxy > 10) {
      throw new UsageError('--trust-proxy wants the number of proxies in front of the hub (0 to 10)');
    }
  }
  let frameAncestors = config?.frameAncestors;
  if (values['frame-ancestors'] !== undefined) {
    frameAncestors = values['frame-ancestors'].split(',').map((o) => o.trim()).filter((o) => o !== '');
    const bad = frameAncestors.find((o) => !frameAncestorSchema.safeParse(o).success);
    if (bad !== undefined) throw new UsageError(`--frame-ancestors wants origins such as https://venue.example, not "${bad}"`);
  }
  const journalSync = values['journal-sync'];
  if (journalSync !== undefined && journalSync !== 'write' && journalSync !== 'fsync') {
    throw new UsageError(`--journal-sync is write (default) or fsync, not "${journalSync}"`);
  }
  const dataDir = values['no-journal']
    ? undefined
    : values['data-dir'] !== undefined
      ? resolve(values['data-dir'])
      : config?.dataDir !== undefined
        ? relativeToConfig(config.dataDir)
        : resolve('.tarjuman-data');
  const staticDir =
    values['static-dir'] !== undefined
      ? resolve(values['static-dir'])
      : config?.staticDir !== undefined
        ? relativeToConfig(config.staticDir)
        : join(REPO_ROOT, 'out', 'renderer');
  const options: HubOptions = {
    port: values.port !== undefined ? parsePort(values.port) : (config?.port ?? DEFAULT_HUB_PORT),
    host: values.host ?? config?.host ?? '0.0.0.0',
    rooms,
    staticDir,
    ...(dataDir !== undefined ? { dataDir } : {}),
    ...(historyLimit !== undefined ? { historyLimit } : {}),
    ...(config?.rateLimit ? { rateLimit: config.rateLimit } : {}),
    ...(values.redis !== undefined ? { redis: { url: parseRedisUrl(values.redis) } } : {}),
    ...(journalSync !== undefined ? { journalSync } : {}),
    ...(trustProxy ? { trustProxy } : {}),
    ...(frameAncestors?.length ? { frameAncestors } : {}),
    ...(certFile && keyFile ? { tls: { cert: readPem('--tls-cert', certFile), key: readPem('--tls-key', keyFile) } } : {}),
  };
  let outputs: OutputConfig[] = (config?.outputs ?? []).map((o) => (o.kind === 'file' ? { ...o, dir: relativeToConfig(o.dir) } : o));
  try {
    outputs = [...outputs, ...(values.output ?? []).map((text) => parseOutputFlag(text))].map((o) => (o.kind === 'file' ? { ...o, dir: resolve(o.dir) } : o));
  } catch (err) {
    if (err instanceof OutputFlagError) throw new UsageError(err.message);
    throw err;
  }
  const mismatch = checkOutputRooms(outputs, rooms.map((r) => ({ id: r.id, channels: r.channels ?? DEFAULT_CHANNELS })));
  if (mismatch) throw new UsageError(mismatch);
  const outputFeature = outputs.length > 0 ? hubOutputs({ outputs, ...(dataDir !== undefined ? { dataDir } : {}), ...(options.redis ? { redis: options.redis } : {}) }) : null;
  if (outputFeature) options.features = [boothRelay(), outputFeature];
  return { options, generatedSecret, outputs: outputFeature };
}

/** Why the journal folder cannot be written (checked before the banner names it as in use), or null. */
async function journalProblem(dir: string): Promise<string | null> {
  try {
    await mkdir(dir, { recursive: true });
    if (!(await stat(dir)).isDirectory()) return 'it is not a folder';
    await access(dir, constants.W_OK);
    return null;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTDIR') return 'a file is in the way';
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return 'no permission to write there';
    return code ?? String(err);
  }
}

/** Builds the renderer when the display page is missing (a fresh clone); says what to run when that fails. */
function ensureDisplayBuilt(staticDir: string): void {
  if (existsSync(join(staticDir, 'display.html'))) return;
  const local = join(REPO_ROOT, 'node_modules', '.bin', 'electron-vite');
  if (staticDir !== join(REPO_ROOT, 'out', 'renderer') || !existsSync(local)) {
    console.error(`hub: ${join(staticDir, 'display.html')} is missing; run \`npm run build\` in ${REPO_ROOT} (displays answer 503 until then)`);
    return;
  }
  console.error('hub: the display page is not built yet; running electron-vite build (once)...');
  const result = spawnSync(local, ['build'], { cwd: REPO_ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0 || !existsSync(join(staticDir, 'display.html'))) {
    console.error('hub: the build failed; run `npm run build` yourself (displays answer 503 until then)');
  }
}

async function main(): Promise<void> {
  let cli: CliPlan | null;
  try {
    cli = plan(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`hub: ${err.message}\n${USAGE}`);
      process.exit(2);
    }
    throw err;
  }
  if (!cli) return;
  const { options } = cli;
  ensureDisplayBuilt(options.staticDir ?? '');
  let hub;
  try {
    hub = await startCaptionHub(options);
  } catch (err) {
    console.error(`hub: cannot start: ${(err as Error).message}`);
    process.exit(1);
  }
  const { outputs } = cli;
  const scheme = options.tls ? 'https' : 'http';
  const host = options.host ?? '0.0.0.0';
  const bases =
    host === '0.0.0.0' || host === '::'
      ? [`${scheme}://localhost:${hub.port}`, ...lanAddresses().map((a) => `${scheme}://${a}:${hub.port}`)]
      : [hub.url];
  console.log(`\nTarjuman caption hub on ${bases.join('  ')}`);
  const journalIssue = options.redis || options.dataDir === undefined ? null : (hub.store.health().error?.message ?? (await journalProblem(options.dataDir)));
  console.log(
    options.redis
      ? `history: Redis ${redactUrl(options.redis.url)} (shared with the other hub nodes)`
      : journalIssue
        ? `journal: ${options.dataDir} CANNOT BE WRITTEN (${journalIssue}): history is in memory only until it can`
        : `journal: ${options.dataDir ?? 'off (history in memory only)'}`,
  );
  if (journalIssue) console.error(`hub: the journal folder ${options.dataDir} cannot be written (${journalIssue}); captions flow, but a restart loses them`);
  for (const room of hub.rooms) {
    const languages = room.channels.filter((c) => c !== FLOOR_CHANNEL);
    console.log(`\nroom ${room.id} (${room.channels.join(', ')}): open a display at`);
    for (const base of bases.slice(-1)) {
      for (const c of room.channels) console.log(`  ${displayUrl(base, room.id, [c])}`);
      if (languages.length > 1) console.log(`  ${displayUrl(base, room.id, languages)}`);
      console.log(`phones (for the room's QR code): ${phoneUrl(base, room.id, room.channels)}`);
    }
    const cfg = options.rooms.find((r) => r.id === room.id);
    const channel = languages[0] ?? room.channels[0] ?? 'en';
    console.log(`publish: npm run say -- --hub ${bases[0]} --room ${room.id} --channel ${channel} --secret <room secret> "Hello"`);
    if (cli.generatedSecret && cfg) console.log(`room secret (generated for this run): ${cli.generatedSecret}`);
    console.log(`exports: ${bases[0]}/export/${room.id}/<channel>.vtt | .srt | .txt`);
  }
  if (outputs) {
    console.log(`\noutputs (status: curl -H 'Authorization: Bearer <room secret>' ${bases[0]}/outputs):`);
    for (const o of outputs.list()) console.log(`  ${o.id}: ${o.kind} ${o.room}/${o.channel} -> ${o.target}${o.code === 'NOT_LATIN' ? ' (refused: CEA-608 is Latin script only)' : ''}`);
  }
  console.log('');

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) {
      console.error(`hub: ${signal} again, exiting now`);
      process.exit(1);
    }
    stopping = true;
    console.error(`hub: ${signal}, closing (journal flushed)...`);
    hub.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(`hub: close failed: ${String(err)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

void main();
