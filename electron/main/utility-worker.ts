/**
 * `spawnWorker` for the app: the speech-to-text worker (built to out/main/stt-worker.js) as an Electron
 * utilityProcess. Messages pass by structured clone, so Float32Array audio arrives as is.
 */
import { utilityProcess } from 'electron';
import type { SpawnWorker, WorkerHandle } from '../stt/stt-supervisor';

/** A SpawnWorker forking `entry` (absolute path of the built worker) as a utility process. */
export function utilityWorkerSpawner(entry: string): SpawnWorker {
  return (): WorkerHandle => {
    const child = utilityProcess.fork(entry, [], { serviceName: 'Tarjuman speech-to-text', stdio: ['ignore', 'ignore', 'inherit'] });
    let exited = false;
    let exitCode: number | null = null;
    const exitListeners: ((exit: { code: number | null; signal: string | null }) => void)[] = [];
    child.on('exit', (code) => {
      exited = true;
      exitCode = code;
      for (const l of exitListeners) l({ code, signal: null });
    });
    return {
      get pid() {
        return child.pid;
      },
      send: (message) => {
        if (exited) throw new Error('the worker is gone');
        child.postMessage(message);
      },
      onMessage: (listener) => child.on('message', listener),
      onExit: (listener) => {
        if (exited) listener({ code: exitCode, signal: null });
        else exitListeners.push(listener);
      },
      kill: () => {
        if (!exited) child.kill();
      },
    };
  };
}
