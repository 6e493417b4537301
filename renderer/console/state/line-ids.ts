/** Line ids made by this page: unique across consoles and reloads, and valid for the hub (`[A-Za-z0-9_.:-]`). */
const session = (() => {
  const bytes = new Uint8Array(6);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(36).padStart(2, '0')).join('');
})();
let counter = 0;

/** A new line id, e.g. `typed-en-k3x9a2b1c0d4-17`. */
export function newLineId(kind: string, channel: string): string {
  counter += 1;
  return `${kind}-${channel}-${session}-${counter}`;
}
