/**
 * The caption rules as one decision table, run against both history stores: the memory store (with its journal,
 * reopened at the end) and the Redis store on a real redis-server. Both decide through caption-rules.ts, so
 * every row must come out the same in each.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PublishLine } from '../common/protocol';
import type { Result } from '../common/result';
import { MemoryJournalHistoryStore, type HistoryStore } from './history-store';
import { RedisHistoryStore } from './redis-history-store';
import { startRedisServer, type RedisServerProcess } from './test-support';

type Op =
  | { op: 'partial' | 'final'; id: string; text: string }
  | { op: 'revise'; id: string; text: string }
  | { op: 'clear' };

/** What a row expects: the ack (and whether something is announced), or the refusal's code. */
type Expect = { seq: number; cursor: number; duplicate: boolean; announces: 'partial' | 'committed' | 'revised' | 'cleared' | null } | { code: string };

const TABLE: Array<[string, Op, Expect]> = [
  ['a new id gets the next seq', { op: 'partial', id: 'p1', text: 'Hel' }, { seq: 1, cursor: 0, duplicate: false, announces: 'partial' }],
  ['the same partial again is a duplicate', { op: 'partial', id: 'p1', text: 'Hel' }, { seq: 1, cursor: 0, duplicate: true, announces: null }],
  ['a longer partial replaces it', { op: 'partial', id: 'p1', text: 'Hello' }, { seq: 1, cursor: 0, duplicate: false, announces: 'partial' }],
  ['the final commits: cursor 1', { op: 'final', id: 'p1', text: 'Hello.' }, { seq: 1, cursor: 1, duplicate: false, announces: 'committed' }],
  ['the final resent is a duplicate', { op: 'final', id: 'p1', text: 'Hello.' }, { seq: 1, cursor: 1, duplicate: true, announces: null }],
  ['a late partial of a committed line is a duplicate', { op: 'partial', id: 'p1', text: 'Hel' }, { seq: 1, cursor: 1, duplicate: true, announces: null }],
  ['a final with another text is a conflict', { op: 'final', id: 'p1', text: 'Other.' }, { code: 'CONFLICT' }],
  ['revise corrects in place: cursor 2', { op: 'revise', id: 'p1', text: 'Hello, all.' }, { seq: 1, cursor: 2, duplicate: false, announces: 'revised' }],
  ['the final with the revised text is a duplicate', { op: 'final', id: 'p1', text: 'Hello, all.' }, { seq: 1, cursor: 2, duplicate: true, announces: null }],
  ['the final with the first text still is', { op: 'final', id: 'p1', text: 'Hello.' }, { seq: 1, cursor: 2, duplicate: true, announces: null }],
  ['the same revision again is a duplicate', { op: 'revise', id: 'p1', text: 'Hello, all.' }, { seq: 1, cursor: 2, duplicate: true, announces: null }],
  ['another line', { op: 'partial', id: 'p2', text: 'Two' }, { seq: 2, cursor: 2, duplicate: false, announces: 'partial' }],
  ['revising a partial is not found', { op: 'revise', id: 'p2', text: 'Two!' }, { code: 'NOT_FOUND' }],
  ['revising an unknown id is not found', { op: 'revise', id: 'nope', text: 'x' }, { code: 'NOT_FOUND' }],
  ['a final with no partial before it', { op: 'final', id: 'p3', text: 'Three.' }, { seq: 3, cursor: 3, duplicate: false, announces: 'committed' }],
  ['clear moves the cursor on', { op: 'clear' }, { seq: 0, cursor: 4, duplicate: false, announces: 'cleared' }],
  ['revising a cleared line is not found', { op: 'revise', id: 'p3', text: 'Three!' }, { code: 'NOT_FOUND' }],
  ['a line partial before the clear keeps its seq', { op: 'final', id: 'p2', text: 'Two.' }, { seq: 2, cursor: 5, duplicate: false, announces: 'committed' }],
  ['seqs are never reused', { op: 'partial', id: 'p4', text: 'Four' }, { seq: 4, cursor: 5, duplicate: false, announces: 'partial' }],
  ['a final resent after the clear is still a duplicate', { op: 'final', id: 'p3', text: 'Three.' }, { seq: 3, cursor: 3, duplicate: true, announces: null }],
];

const ROOMS = [{ id: 'main', channels: ['en'] }];
const T0 = 1_795_000_000_000;

async function run(store: HistoryStore, op: Op, now: number): Promise<Result<{ ack: { seq: number; cursor: number; duplicate: boolean }; partial?: unknown; change?: { kind: string } }>> {
  if (op.op === 'clear') return store.clear('main', 'en', now);
  if (op.op === 'revise') return store.revise('main', 'en', op.id, op.text, now);
  const line: PublishLine = { id: op.id, channel: 'en', text: op.text, state: op.op, source: 'typed' };
  return store.publish('main', line, now);
}

function observed(r: Awaited<ReturnType<typeof run>>): Expect {
  if (!r.ok) return { code: r.error.code };
  return { ...r.value.ack, announces: r.value.partial ? 'partial' : ((r.value.change?.kind as 'committed' | undefined) ?? null) };
}

/** Runs the table and checks the state it leaves (catch-up and export). */
async function checkTable(store: HistoryStore): Promise<void> {
  for (const [i, [label, op, expected]] of TABLE.entries()) {
    expect(observed(await run(store, op, T0 + i * 1000)), `row ${i + 1}: ${label}`).toEqual(expected);
  }
  const snap = await store.snapshot('main', 'en', undefined);
  expect(snap.ok && { reset: snap.value.reset, cursor: snap.value.cursor, lines: snap.value.changes.map((c) => c.kind !== 'cleared' && c.line.text), partial: snap.value.partial?.text }).toEqual({
    reset: true,
    cursor: 5,
    lines: ['Two.'],
    partial: 'Four',
  });
  const catchUp = await store.snapshot('main', 'en', 2);
  expect(catchUp.ok && catchUp.value.changes.map((c) => [c.kind, c.cursor])).toEqual([
    ['committed', 3],
    ['cleared', 4],
    ['committed', 5],
  ]);
  const lines = await store.committedLines('main', 'en');
  expect(lines.ok && lines.value.map((l) => [l.id, l.seq, l.text, l.revision])).toEqual([
    ['p1', 1, 'Hello, all.', 1],
    ['p3', 3, 'Three.', 0],
    ['p2', 2, 'Two.', 0],
  ]);
}

let redis: RedisServerProcess;
const dirs: string[] = [];
beforeAll(async () => {
  redis = await startRedisServer();
}, 30_000);
afterAll(async () => {
  await redis?.stop();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('caption rules: one decision table, both stores', () => {
  it('the memory store (and its journal, replayed into a new store)', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tarjuman-rules-'));
    dirs.push(dataDir);
    const store = new MemoryJournalHistoryStore({ dataDir, historyLimit: 50 });
    await store.open(ROOMS);
    await checkTable(store);
    await store.close();
    const reopened = new MemoryJournalHistoryStore({ dataDir, historyLimit: 50 });
    await reopened.open(ROOMS);
    // The partial is live-only; everything else decides the same after a restart.
    const resend = await reopened.publish('main', { id: 'p3', channel: 'en', text: 'Three.', state: 'final', source: 'typed' }, T0 + 99_000);
    expect(observed(resend)).toEqual({ seq: 3, cursor: 3, duplicate: true, announces: null });
    const next = await reopened.publish('main', { id: 'p5', channel: 'en', text: 'Five', state: 'partial', source: 'typed' }, T0 + 99_000);
    expect(observed(next)).toEqual({ seq: 5, cursor: 5, duplicate: false, announces: 'partial' });
    await reopened.close();
  });

  it('the Redis store on a real redis-server', async () => {
    const store = new RedisHistoryStore({ url: redis.url, historyLimit: 50, keyPrefix: 'rules' });
    await store.open(ROOMS);
    try {
      await store.wipe(ROOMS);
      await checkTable(store);
    } finally {
      await store.close();
    }
  });
});
