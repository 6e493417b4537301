/**
 * `npm run bench:crash [-- --kills 50 --seed 7]`: nothing a console reported as saved is lost or doubled when it
 * is killed at random moments while its link to the hub is cut and restored.
 *
 * A real hub runs in this process, behind a TCP proxy that cuts every connection (and refuses new ones) and
 * restores them at random intervals. A console core runs in a child process (bench/crash-console.ts) on one data
 * folder as the booth of channel `en`, publishing typed lines (partials, then the final) and voice lines (its
 * voice path, from a scripted speech-to-text source), and reports each committed line once its session record
 * has it on disk. It is SIGKILLed at a random moment, then started again on the same folder, `--kills` times.
 * Last, the link is restored and the console started once more until everything it holds reached the hub.
 *
 * Then every line reported saved must be in the session record (read back from the journal on disk) and at the
 * hub (its history) exactly once; a text at the hub twice is doubled too (a resend under another id).
 *
 * The last line is: bench:crash kills=<n> saved=<s> lost=<l> doubled=<d>
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { mulberry32 } from '../electron/common/seeded-random';
import { silentHubLogger, startCaptionHub } from '../electron/hub/index';
import { TcpProxy } from '../electron/hub/test-support';
import { replayJournal } from '../electron/node/jsonl-journal';
import { JOURNAL_FILE, sessionRecordSchema } from '../electron/console/session-record';

const ROOT = resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({ options: { kills: { type: 'string', default: '50' }, seed: { type: 'string', default: String(Date.now() % 100_000) } } });
const KILLS = Number(args.kills);
const SEED = Number(args.seed);
const SECRET = 'crash-bench-secret';
const random = mulberry32(SEED);
const between = (lo: number, hi: number): number => lo + random() * (hi - lo);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface ConsoleRun {
  child: ChildProcessWithoutNullStreams;
  ready: Promise<void>;
  exited: Promise<void>;
}

/** Every id the consoles reported saved, with the run that reported it. */
const saved = new Map<string, number>();

function startConsole(dataDir: string, hubUrl: string, run: number, drain = false): ConsoleRun {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'bench/crash-console.ts'), '--data-dir', dataDir, '--hub', hubUrl, '--secret', SECRET, '--run', String(run), ...(drain ? ['--drain'] : [])],
    { cwd: ROOT },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  const ready = new Promise<void>((resolveReady, rejectReady) => {
    const timer = setTimeout(() => rejectReady(new Error(`console run ${run} not ready in 90 s: ${stderr}`)), 90_000);
    void exited.then(() => {
      clearTimeout(timer);
      rejectReady(new Error(`console run ${run} exited before it was ready: ${stderr}`));
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      let event: { t?: string; id?: string };
      try {
        event = JSON.parse(line) as typeof event;
      } catch {
        return;
      }
      if (event.t === 'saved' && event.id) {
        if (!saved.has(event.id)) saved.set(event.id, run);
      } else if (event.t === 'ready') {
        clearTimeout(timer);
        resolveReady();
      }
    });
  });
  ready.catch(() => undefined);
  return { child, ready, exited };
}

/** The committed line ids in the console's session journals (read back from disk, as a restart would). */
async function recordedIds(dataDir: string): Promise<Set<string>> {
  const ids = new Set<string>();
  const sessions = join(dataDir, 'sessions');
  for (const session of await readdir(sessions)) {
    const replay = await replayJournal(join(sessions, session, JOURNAL_FILE), (v) => {
      const parsed = sessionRecordSchema.safeParse(v);
      return parsed.success ? parsed.data : null;
    });
    for (const entry of replay.entries) if (entry.t === 'final') ids.add(entry.id);
  }
  return ids;
}

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'tarjuman-crash-'));
  const dataDir = join(work, 'console');
  const hub = await startCaptionHub({
    port: 0,
    rooms: [{ id: 'main', secret: SECRET }],
    dataDir: join(work, 'hub'),
    // Every line of the run stays in the hub's history, so it can be checked there.
    historyLimit: 1_000_000,
    logger: silentHubLogger,
    rateLimit: { burst: 2000, perSecond: 2000 },
  });
  const proxy = await TcpProxy.start(hub.port);
  const hubAt = async (): Promise<{ ids: Map<string, number>; texts: Map<string, number> }> => {
    const snap = await hub.store.snapshot('main', 'en', undefined);
    if (!snap.ok) throw new Error(`hub snapshot: ${snap.error.message}`);
    const ids = new Map<string, number>();
    const texts = new Map<string, number>();
    for (const change of snap.value.changes) {
      if (change.kind !== 'committed') continue;
      ids.set(change.line.id, (ids.get(change.line.id) ?? 0) + 1);
      texts.set(change.line.text, (texts.get(change.line.text) ?? 0) + 1);
    }
    return { ids, texts };
  };

  // The link is cut and restored at random moments for the whole run.
  let cutting = true;
  const cutter = (async () => {
    while (cutting) {
      await sleep(between(200, 1500));
      if (!cutting) break;
      proxy.cut();
      await sleep(between(100, 1200));
      proxy.restore();
    }
  })();

  const started = Date.now();
  try {
    for (let kill = 1; kill <= KILLS; kill++) {
      const run = startConsole(dataDir, proxy.url, kill);
      await run.ready;
      await sleep(between(100, 2500));
      run.child.kill('SIGKILL');
      await run.exited;
      if (kill % 10 === 0) process.stdout.write(`  ${kill} kills, ${saved.size} lines saved so far (${Math.round((Date.now() - started) / 1000)} s)\n`);
    }
    cutting = false;
    await cutter;
    proxy.restore();

    // Recovery: one more start with the link up, until the console's outbox is empty and the hub has every line.
    const last = startConsole(dataDir, proxy.url, KILLS + 1, true);
    await last.ready;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const { ids } = await hubAt();
      if ([...saved.keys()].every((id) => ids.has(id))) break;
      await sleep(200);
    }
    last.child.kill('SIGTERM');
    await last.exited;

    const record = await recordedIds(dataDir);
    const { ids, texts } = await hubAt();
    const lostIds = new Set<string>();
    for (const id of saved.keys()) {
      if (!record.has(id)) {
        lostIds.add(id);
        process.stdout.write(`  lost from the record: ${id} (reported by run ${saved.get(id)})\n`);
      }
      if (!ids.has(id)) {
        lostIds.add(id);
        process.stdout.write(`  never reached the hub: ${id} (reported by run ${saved.get(id)})\n`);
      }
    }
    let doubled = 0;
    for (const [id, n] of ids) {
      if (n > 1) {
        doubled++;
        process.stdout.write(`  at the hub ${n} times: ${id}\n`);
      }
    }
    for (const [text, n] of texts) {
      if (n > 1) {
        doubled++;
        process.stdout.write(`  text at the hub ${n} times: ${text}\n`);
      }
    }
    const typed = [...saved.keys()].filter((id) => id.startsWith('typed-')).length;
    process.stdout.write(`  seed ${SEED}; ${typed} typed and ${saved.size - typed} voice lines saved; ${ids.size} lines at the hub; ${Math.round((Date.now() - started) / 1000)} s\n`);
    process.stdout.write(`bench:crash kills=${KILLS} saved=${saved.size} lost=${lostIds.size} doubled=${doubled}\n`);
  } finally {
    cutting = false;
    await proxy.close();
    await hub.close();
    await rm(work, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench:crash failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
