/**
 * `npm run say`: a small publisher for checks, rehearsals and scripting.
 *
 *   npm run say -- --hub http://localhost:7300 --room main --channel en --secret S "Good morning."
 *   printf 'line one\nline two\n' | npm run say -- --room main --channel ar --secret S
 *   npm run say -- --room main --channel en --secret S --role operator --clear
 *   npm run say -- --room main --secret S --role operator --notice "Please take your seats" [--ttl 30]
 *
 * Each text (or standard-input line) goes out as one final line; `--partial-first` first sends it word by word
 * as partials, like someone typing. Prints each ack; exits non-zero with the hub's code when refused.
 */
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { DEFAULT_HUB_PORT } from '../common/hub-config';
import { parseHubUrl } from '../common/hub-url';
import { CAPTION_SOURCES, type CaptionSource, type HandshakeAuth } from '../common/protocol';
import type { Result } from '../common/result';
import { connectHubClient, hubRequest, type HubClientSocket } from './hub-client';

const USAGE = `usage: npm run say -- [--hub http://localhost:${DEFAULT_HUB_PORT}] --room main --channel en --secret S
                    [--role booth|operator] [--partial-first] [--source typed] [--lang en] "text" | < lines.txt
       npm run say -- --room main --channel en --secret S --role operator --clear
       npm run say -- --room main --secret S --role operator --notice "text" [--ttl seconds]
       (--secret may come from the TARJUMAN_SECRET environment variable instead)`;

class UsageError extends Error {}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function describe<T>(what: string, result: Result<T>): string {
  return result.ok ? `ok ${what} ${JSON.stringify(result.value)}` : `refused ${what}: ${result.error.code}: ${result.error.message}`;
}

async function* texts(positionals: string[]): AsyncGenerator<string> {
  if (positionals.length > 0) {
    yield positionals.join(' ');
    return;
  }
  if (process.stdin.isTTY) throw new UsageError('give the text as an argument, or lines on standard input');
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) if (line.trim() !== '') yield line;
}

async function publishOne(
  socket: HubClientSocket,
  channel: string,
  text: string,
  opts: { partialFirst: boolean; source: CaptionSource; lang?: string; delayMs: number },
): Promise<boolean> {
  const id = `say-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  const base = { id, channel, source: opts.source, startedAt: Date.now(), ...(opts.lang ? { lang: opts.lang } : {}) };
  if (opts.partialFirst) {
    const words = text.split(/\s+/).filter((w) => w !== '');
    const step = Math.max(1, Math.ceil(words.length / 12));
    for (let i = step; i < words.length; i += step) {
      const r = await hubRequest(socket, 'caption:publish', { ...base, text: words.slice(0, i).join(' '), state: 'partial' });
      if (!r.ok) {
        console.error(describe(`partial ${id}`, r));
        return false;
      }
      await sleep(opts.delayMs);
    }
  }
  const result = await hubRequest(socket, 'caption:publish', { ...base, text, state: 'final' });
  (result.ok ? console.log : console.error)(describe(`final ${id}`, result));
  return result.ok;
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: process.argv.slice(2),
      strict: true,
      allowPositionals: true,
      options: {
        hub: { type: 'string', default: `http://localhost:${DEFAULT_HUB_PORT}` },
        room: { type: 'string', default: 'main' },
        channel: { type: 'string' },
        secret: { type: 'string' },
        role: { type: 'string', default: 'booth' },
        'partial-first': { type: 'boolean', default: false },
        'partial-delay-ms': { type: 'string', default: '150' },
        source: { type: 'string', default: 'typed' },
        lang: { type: 'string' },
        clear: { type: 'boolean', default: false },
        notice: { type: 'string' },
        ttl: { type: 'string' },
        label: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0] ?? 'bad flags');
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.role !== 'booth' && values.role !== 'operator') throw new UsageError(`--role is booth or operator, not "${values.role}"`);
  if (!(CAPTION_SOURCES as readonly string[]).includes(values.source)) {
    throw new UsageError(`--source is one of ${CAPTION_SOURCES.join(', ')}`);
  }
  const secret = values.secret ?? process.env['TARJUMAN_SECRET'];
  if (!secret) throw new UsageError('--secret is required (or set TARJUMAN_SECRET)');
  const operatorOnly = values.notice !== undefined;
  if (operatorOnly && values.role !== 'operator') throw new UsageError('--notice needs --role operator');
  if (!operatorOnly && values.channel === undefined) throw new UsageError('--channel is required, e.g. --channel en');
  const delayMs = Number(values['partial-delay-ms']);
  if (!Number.isFinite(delayMs) || delayMs < 0) throw new UsageError('--partial-delay-ms wants a number');
  const url = parseHubUrl(values.hub);
  if (!url.ok) throw new UsageError(`--hub: ${url.error.message}`);

  const auth: HandshakeAuth = {
    role: values.role,
    room: values.room,
    secret,
    clientId: `say-${randomBytes(4).toString('hex')}`,
    label: values.label ?? 'npm run say',
    ...(values.role === 'booth' && values.channel !== undefined ? { channel: values.channel } : {}),
  };
  const connected = await connectHubClient(url.value, auth, { reconnection: false, timeoutMs: 8000 });
  if (!connected.ok) {
    if (connected.error.code === 'CONNECT_FAILED') {
      // socket.io's own words ("xhr poll error") do not say what to check.
      console.error(`say: no hub answers at ${url.value} (${connected.error.message.replace(/^.*: /, '')}): is \`npm run hub\` running there? Check the address and port (--hub).`);
    } else {
      console.error(`say: refused: ${connected.error.code}: ${connected.error.message}`);
    }
    return 1;
  }
  const socket = connected.value;
  try {
    if (values.notice !== undefined) {
      const ttlMs = values.ttl !== undefined ? Math.round(Number(values.ttl) * 1000) : undefined;
      if (ttlMs !== undefined && !(ttlMs > 0)) throw new UsageError('--ttl wants seconds, e.g. --ttl 30');
      const r = await hubRequest(socket, 'notice:show', { text: values.notice, ...(ttlMs ? { ttlMs } : {}) });
      (r.ok ? console.log : console.error)(describe('notice', r));
      return r.ok ? 0 : 1;
    }
    const channel = values.channel ?? '';
    if (values.clear) {
      const r = await hubRequest(socket, 'channel:clear', { channel });
      (r.ok ? console.log : console.error)(describe(`clear ${channel}`, r));
      return r.ok ? 0 : 1;
    }
    let failures = 0;
    for await (const text of texts(positionals)) {
      const ok = await publishOne(socket, channel, text, {
        partialFirst: values['partial-first'],
        source: values.source as CaptionSource,
        delayMs,
        ...(values.lang ? { lang: values.lang } : {}),
      });
      if (!ok) failures++;
    }
    return failures === 0 ? 0 : 1;
  } finally {
    socket.disconnect();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError) {
      console.error(`say: ${err.message}\n${USAGE}`);
      process.exit(2);
    }
    console.error(`say: ${String(err)}`);
    process.exit(1);
  },
);
