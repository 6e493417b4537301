/**
 * The `--output` flag of `npm run hub`: one output from one command-line word.
 */
import { outputConfigSchema, OUTPUT_KINDS, type OutputConfig, type OutputKind } from '../../common/caption-outputs';

/** A mistake in an `--output` flag. */
export class OutputFlagError extends Error {}

/**
 * Parses `--output <kind>:<room>/<channel>=<target>`, e.g. `youtube:main/en=https://...`,
 * `zoom:main/ar=env:ZOOM_AR_URL`, `obs:main/en=ws://127.0.0.1:4455`, `file:main/ru=./live`.
 * A target `env:NAME` is read from that environment variable, which keeps the credential out of the process
 * list; an OBS password goes in the URL's user part (`ws://:password@host:4455`) or in `env:`. The id is
 * `<kind>-<room>-<channel>`.
 */
export function parseOutputFlag(text: string, env: NodeJS.ProcessEnv = process.env): OutputConfig {
  const m = /^([a-z]+):([A-Za-z0-9_-]+)\/([A-Za-z0-9_-]+)=(.+)$/.exec(text);
  if (!m) throw new OutputFlagError(`--output wants kind:room/channel=target, e.g. zoom:main/en=env:ZOOM_URL (got "${text.slice(0, 24)}...")`);
  const [, kind, room, channel, rawTarget] = m as unknown as [string, string, string, string, string];
  if (!(OUTPUT_KINDS as readonly string[]).includes(kind)) throw new OutputFlagError(`--output: kind is one of ${OUTPUT_KINDS.join(', ')}, not "${kind}"`);
  let target = rawTarget;
  if (target.startsWith('env:')) {
    const name = target.slice(4);
    const value = env[name];
    if (value === undefined || value === '') throw new OutputFlagError(`--output ${kind}:${room}/${channel}: environment variable ${name} is not set`);
    target = value;
  }
  const id = `${kind}-${room}-${channel}`;
  let config: unknown;
  if ((kind as OutputKind) === 'file') config = { kind, id, room, channel, dir: target };
  else if ((kind as OutputKind) === 'obs') {
    let password: string | undefined;
    try {
      const u = new URL(target);
      if (u.password) password = decodeURIComponent(u.password);
      u.username = '';
      u.password = '';
      target = u.toString().replace(/\/$/, '');
    } catch {
      // The schema reports the bad address.
    }
    config = { kind, id, room, channel, url: target, ...(password !== undefined ? { password } : {}) };
  } else config = { kind, id, room, channel, url: target };
  const parsed = outputConfigSchema.safeParse(config);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new OutputFlagError(`--output ${kind}:${room}/${channel}: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'}`);
  }
  return parsed.data;
}
