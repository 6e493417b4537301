/**
 * The worker's side of the pipe to its parent, the same for an Electron utilityProcess (`process.parentPort`,
 * structured clone) and a Node child process forked with `serialization: 'advanced'` (`process.send`).
 */

/** How the worker talks to its parent. */
export interface ParentTransport {
  /** `utility-process` or `child-process`. */
  readonly kind: string;
  send(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
}

/** The shape of Electron's `process.parentPort` that the worker uses (no electron import needed). */
interface ParentPortLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
}

/** Connects to the parent process, or returns null when the process was not started as a worker. */
export function connectToParent(): ParentTransport | null {
  const parentPort = (process as unknown as { parentPort?: ParentPortLike }).parentPort;
  if (parentPort) {
    return {
      kind: 'utility-process',
      send: (message) => parentPort.postMessage(message),
      onMessage: (listener) => parentPort.on('message', (event) => listener(event.data)),
    };
  }
  if (typeof process.send === 'function') {
    return {
      kind: 'child-process',
      send: (message) => {
        if (process.connected) process.send?.(message);
      },
      onMessage: (listener) => process.on('message', listener),
    };
  }
  return null;
}
