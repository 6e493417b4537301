import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectHubClient, hubRequest, type HubClientSocket } from './hub-client';
import { until } from './test-support';
import { ResendingBooth, spawnHub, startRedisServer, watchDisplay, type HubProcess, type RedisServerProcess, type WatchedDisplay } from './test-support';

const SECRET = 'scale-out-secret-5521';
const ROOM = 'main';
const CHANNELS = ['floor', 'en'];

let redis: RedisServerProcess;
const hubs: HubProcess[] = [];
const sockets: HubClientSocket[] = [];

async function startNode(port = 0): Promise<HubProcess> {
  const hub = await spawnHub({ port, rooms: [`${ROOM}:${SECRET}`], channels: CHANNELS, redis: redis.url });
  hubs.push(hub);
  return hub;
}

async function display(url: string): Promise<WatchedDisplay> {
  const watched = await watchDisplay(url, ROOM, CHANNELS);
  sockets.push(watched.socket);
  return watched;
}

beforeAll(async () => {
  redis = await startRedisServer();
}, 30_000);

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await Promise.all(hubs.map((h) => h.stop('SIGKILL')));
  await redis?.stop();
});

describe('hub spanning two processes on one Redis', () => {
  it('a booth on node A, displays on node B, A killed and restarted: every line once, in order', async () => {
    const nodeA = await startNode();
    const nodeB = await startNode();
    const displays = await Promise.all([display(nodeB.url), display(nodeB.url), display(nodeA.url)]);
    const booth = await ResendingBooth.connect(nodeA.url, ROOM, 'en', SECRET, 'booth-en');
    const opResult = await connectHubClient(nodeB.url, { role: 'operator', room: ROOM, secret: SECRET }, { transports: ['websocket'] });
    if (!opResult.ok) throw new Error(opResult.error.message);
    const operator = opResult.value;
    sockets.push(operator, booth.socket);

    const typed: string[] = [];
    const operatorLines: Array<{ id: string; seq: number; cursor: number }> = [];
    const type = (n: number): void => {
      const id = `en-${n}`;
      typed.push(id);
      booth.type(id, `Line ${n} from the English booth.`);
    };
    // The operator writes the same channel from node B meanwhile: the nodes contend for seq and cursor.
    const operatorTask = (async () => {
      for (let i = 0; i < 15; i++) {
        const answer = await hubRequest(operator, 'caption:publish', { id: `op-${i}`, channel: 'en', text: `Operator line ${i}.`, state: 'final', source: 'typed' });
        expect(answer.ok, JSON.stringify(answer)).toBe(true);
        if (answer.ok) operatorLines.push({ id: `op-${i}`, ...answer.value });
        await new Promise((r) => setTimeout(r, 15));
      }
    })();

    for (let n = 0; n < 40; n++) {
      type(n);
      await new Promise((r) => setTimeout(r, 10));
    }
    await until(() => booth.acked.size >= 20, 20_000, 'first lines acknowledged');
    await nodeA.stop('SIGKILL');
    // The interpreter keeps typing while node A is down.
    for (let n = 40; n < 60; n++) type(n);
    await new Promise((r) => setTimeout(r, 300));
    await startNode(nodeA.port);
    for (let n = 60; n < 80; n++) {
      type(n);
      await new Promise((r) => setTimeout(r, 5));
    }
    await operatorTask;
    await until(() => booth.pending === 0, 60_000, 'booth outbox drained');
    expect(booth.refusals).toEqual([]);

    const expectedCount = typed.length + operatorLines.length;
    for (const [i, d] of displays.entries()) {
      await until(() => d.follower.lines('en').length === expectedCount, 30_000, `display ${i} complete`);
    }
    const reference = displays[0]!.follower.lines('en').map((l) => l.id);
    for (const [i, d] of displays.entries()) {
      const ids = d.follower.lines('en').map((l) => l.id);
      expect(ids, `display ${i}`).toEqual(reference);
      expect(ids.filter((id) => id.startsWith('en-')), `display ${i}: booth lines in typed order`).toEqual(typed);
      expect(d.follower.stats.doubledCommits, `display ${i}`).toBe(0);
      if (i < 2) {
        // Node B never went away: its displays got every line live, exactly once.
        for (const id of reference) expect(d.receipts.get(id), `display ${i} line ${id}`).toBe(1);
      }
    }
    // Seq and cursor are unique across nodes: 1..n with no gap.
    const lines = displays[0]!.follower.lines('en');
    expect(new Set(lines.map((l) => l.seq)).size).toBe(lines.length);
    expect([...lines.map((l) => l.seq)].sort((a, b) => a - b)).toEqual(lines.map((_, i) => i + 1));
    expect(displays[0]!.follower.cursor('en')).toBe(expectedCount);
    expect(new Set(operatorLines.map((l) => l.cursor)).size).toBe(operatorLines.length);
  }, 150_000);

  it('an operator on one node mutes a channel: booths on the other nodes hear it, a node started later knows it', async () => {
    const nodeA = await startNode();
    const nodeB = await startNode();
    const connect = async (url: string, auth: Parameters<typeof connectHubClient>[1]): Promise<HubClientSocket> => {
      const r = await connectHubClient(url, auth, { transports: ['websocket'] });
      if (!r.ok) throw new Error(r.error.message);
      sockets.push(r.value);
      return r.value;
    };
    type Mutes = { ok: true; value: { room: string; muted: string[] } } | { ok: false; error: { code: string } };
    const ask = (socket: HubClientSocket, event: string, payload: object): Promise<Mutes> =>
      (socket.timeout(5000).emitWithAck as unknown as (e: string, p: object) => Promise<Mutes>).call(socket.timeout(5000), event, payload);
    const operator = await connect(nodeA.url, { role: 'operator', room: ROOM, secret: SECRET, clientId: 'op-1' });
    const booth = await connect(nodeB.url, { role: 'booth', room: ROOM, channel: 'en', secret: SECRET, clientId: 'booth-en-1' });
    const heard: string[][] = [];
    (booth as unknown as { on(e: string, f: (m: { muted: string[] }) => void): void }).on('channel:muted', (m) => heard.push(m.muted));

    expect(await ask(operator, 'channel:mute', { channel: 'en', muted: true })).toMatchObject({ ok: true, value: { muted: ['en'] } });
    await until(() => heard.some((m) => m.includes('en')), 10_000, 'the booth on node B heard the mute');
    expect(await ask(booth, 'channel:mutes', {})).toMatchObject({ ok: true, value: { muted: ['en'] } });

    const nodeC = await startNode();
    const late = await connect(nodeC.url, { role: 'booth', room: ROOM, channel: 'floor', secret: SECRET, clientId: 'booth-floor-1' });
    let lateMutes: Mutes | null = null;
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      lateMutes = await ask(late, 'channel:mutes', {});
      if (lateMutes.ok && lateMutes.value.muted.includes('en')) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(lateMutes).toMatchObject({ ok: true, value: { muted: ['en'] } });

    expect(await ask(operator, 'channel:mute', { channel: 'en', muted: false })).toMatchObject({ ok: true, value: { muted: [] } });
    await until(() => heard.at(-1)?.length === 0, 10_000, 'the booth on node B heard the unmute');
  }, 60_000);
});
