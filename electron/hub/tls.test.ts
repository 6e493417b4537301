/**
 * The hub over TLS (HTTPS + WSS) with a certificate and key from files, as `npm run hub -- --tls-cert --tls-key`
 * starts it, and the secrets a publisher presents staying out of the log.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelChange } from '../common/protocol';
import type { CaptionHub } from './caption-hub';
import { connectHubClient, hubRequest, type HubClientSocket } from './hub-client';
import { startTestHub, TEST_ROOMS, until } from './test-support';
import { spawnHub, type HubProcess } from './test-support';

const dir = mkdtempSync(join(tmpdir(), 'tarjuman-tls-'));
const certFile = join(dir, 'cert.pem');
const keyFile = join(dir, 'key.pem');
let cert: string;
let hub: CaptionHub;
const sockets: Socket[] = [];
let cliHub: HubProcess | null = null;

/** Connects over WSS trusting `ca` (or nothing); resolves with the socket or the connect error. */
function connectTls(url: string, auth: Record<string, unknown>, tls: { ca?: string; rejectUnauthorized?: boolean }): Promise<Socket | Error> {
  const socket = io(url, { auth, transports: ['websocket'], reconnection: false, forceNew: true, timeout: 5000, ...tls });
  sockets.push(socket);
  return new Promise((resolveConnect) => {
    socket.once('connect', () => resolveConnect(socket));
    socket.once('connect_error', (err) => resolveConnect(err));
  });
}

beforeAll(async () => {
  // A throwaway self-signed certificate for 127.0.0.1 and localhost.
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-keyout', keyFile, '-out', certFile,
  ], { stdio: 'ignore' });
  cert = readFileSync(certFile, 'utf8');
  ({ hub } = await startTestHub({ tls: { cert, key: readFileSync(keyFile, 'utf8') } }));
});

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await hub?.close();
  await cliHub?.stop('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('TLS', () => {
  it('serves WSS and HTTPS to a client that trusts the certificate, and captions flow', async () => {
    expect(hub.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const display = await connectTls(hub.url, { role: 'display', room: 'main' }, { ca: cert });
    const booth = await connectTls(hub.url, { role: 'booth', room: 'main', channel: 'en', secret: TEST_ROOMS[0]!.secret }, { ca: cert });
    if (display instanceof Error || booth instanceof Error) throw display instanceof Error ? display : (booth as Error);
    const changes: ChannelChange[] = [];
    display.on('caption:changed', (c: ChannelChange) => changes.push(c));
    expect((await hubRequest(display as HubClientSocket, 'display:subscribe', { channels: ['en'] })).ok).toBe(true);
    expect(await hubRequest(booth as HubClientSocket, 'caption:publish', { id: 'tls-1', channel: 'en', text: 'Over TLS.', state: 'final', source: 'typed' })).toMatchObject({ ok: true });
    await until(() => changes.some((c) => c.kind === 'committed' && c.line.id === 'tls-1'), 5000, 'line over TLS');

    const health = await new Promise<{ status: number; body: string }>((resolveGet, rejectGet) => {
      httpsGet(`${hub.url}/healthz`, { ca: cert }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolveGet({ status: res.statusCode ?? 0, body }));
      }).on('error', rejectGet);
    });
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({ ok: true });
  });

  it('is refused by a client that does not trust the certificate, and speaks no plain HTTP', async () => {
    const untrusted = await connectTls(hub.url, { role: 'display', room: 'main' }, {});
    expect(untrusted).toBeInstanceOf(Error);
    const plain = await connectHubClient(hub.url.replace('https:', 'http:'), { role: 'display', room: 'main' }, { transports: ['websocket'], reconnection: false, timeoutMs: 3000 });
    expect(plain.ok).toBe(false);
    // Opting out of verification (a venue's self-signed certificate, like rejectUnauthorized: false) connects.
    const optedOut = await connectTls(hub.url, { role: 'display', room: 'main' }, { rejectUnauthorized: false });
    expect(optedOut).not.toBeInstanceOf(Error);
  });

  it('npm run hub -- --tls-cert --tls-key serves WSS, and its log never holds a secret', async () => {
    const secret = 'cli-secret-Zq81-never-logged';
    cliHub = await spawnHub({ rooms: [`main:${secret}`], channels: ['floor', 'en'], extra: ['--tls-cert', certFile, '--tls-key', keyFile] });
    expect(cliHub.url).toMatch(/^https:/);
    const wrong = await connectTls(cliHub.url, { role: 'operator', room: 'main', secret: 'wrong-guess-Kp22' }, { ca: cert });
    expect(wrong).toBeInstanceOf(Error);
    expect((wrong as Error & { data?: { code?: string } }).data?.code).toBe('AUTH_BAD_SECRET');
    const right = await connectTls(cliHub.url, { role: 'operator', room: 'main', secret }, { ca: cert });
    expect(right).not.toBeInstanceOf(Error);
    await until(() => cliHub!.lines.some((l) => l.includes('client connected') && l.includes('operator')), 5000, 'connection logged');
    const log = cliHub.lines.join('\n');
    expect(log).toContain('handshake refused');
    expect(log).not.toContain(secret);
    expect(log).not.toContain('wrong-guess-Kp22');
  }, 60_000);
});
