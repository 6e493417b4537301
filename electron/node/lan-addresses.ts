/** The machine's addresses on the venue network, for the display links a hub prints or a console shows. */
import { networkInterfaces } from 'node:os';

/** The non-internal IPv4 addresses of this machine, in interface order. */
export function lanAddresses(): string[] {
  const found: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const addr of list ?? []) {
      if (addr.family === 'IPv4' && !addr.internal) found.push(addr.address);
    }
  }
  return found;
}
