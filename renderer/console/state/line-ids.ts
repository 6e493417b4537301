/** Line ids made by this page: unique across consoles and reloads, and valid for the hub (`[A-Za-z0-9_.:-]`). */
const session = (() => {
  const bytes = new Uint8Array(6);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(36).padStart(2, '0')).join('');
})();
let counter = 0;

/**
 * A new line id, e.g. `typed-en-k3x9a2b1c0d4-17`. With the console's id as `owner` it starts with `<owner>.`, as
 * every line the console core makes does, so the console knows its own lines again after a reload of the page.
 */
export function newLineId(kind: string, channel: string, owner: string | null = null): string {
  counter += 1;
  return `${owner ? `${owner}.` : ''}${kind}-${channel}-${session}-${counter}`;
}
