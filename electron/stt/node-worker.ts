/**
 * `spawnWorker` for Node: the worker as a child process (tests, the command line, headless runs). Electron's
 * main process passes a utilityProcess-based one instead (same worker file, built).
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FakeEngineKind } from './fake-stt-worker';
import type { SpawnWorker, WorkerHandle } from './stt-supervisor';

/** Options of `spawnNodeWorker`. */
export interface NodeWorkerOptions {
  /** Worker entry (default: stt-worker.ts beside this file, run through tsx). */
  entry?: string;
  /** Tests: run the test worker (fake-stt-worker.ts) with this engine instead of whisper. */
  fakeEngine?: FakeEngineKind;
  /** Extra environment. */
  env?: Record<string, string>;
  /** Where the worker's stderr goes (default: inherited). */
  stderr?: 'inherit' | 'ignore';
}

/** A `SpawnWorker` that forks the worker with advanced serialization (typed arrays pass as they are). */
export function nodeWorkerSpawner(options: NodeWorkerOptions = {}): SpawnWorker {
  const entry =
    options.entry ?? fileURLToPath(new URL(options.fakeEngine ? './fake-stt-worker.ts' : './stt-worker.ts', import.meta.url));
  const env = { ...process.env, ...options.env, ...(options.fakeEngine ? { TARJUMAN_FAKE_STT_ENGINE: options.fakeEngine } : {}) };
  const execArgv = entry.endsWith('.ts') ? ['--import', 'tsx'] : [];
  return (): WorkerHandle => {
    const child = fork(entry, [], {
      serialization: 'advanced',
      execArgv,
      env,
      stdio: ['ignore', 'ignore', options.stderr ?? 'inherit', 'ipc'],
    });
    let exited = false;
    const exitListeners: Array<(exit: { code: number | null; signal: string | null }) => void> = [];
    child.on('exit', (code, signal) => {
      exited = true;
      for (const l of exitListeners) l({ code, signal });
    });
    // An IPC error (the worker died mid-send) shows up as an exit as well.
    child.on('error', () => {});
    return {
      pid: child.pid,
      send: (message) => {
        if (exited || !child.connected) throw new Error('the worker is gone');
        child.send(message);
      },
      onMessage: (listener) => child.on('message', listener),
      onExit: (listener) => {
        if (exited) listener({ code: child.exitCode, signal: child.signalCode });
        else exitListeners.push(listener);
      },
      kill: () => {
        if (!exited) child.kill('SIGKILL');
      },
    };
  };
}
