/**
 * A full set of fake platform targets for benchmarks: YouTube, Zoom, Teams and live files for each channel, and
 * OBS for the Latin-script channels (CEA-608 cannot carry the others), all on loopback.
 */
import { join } from 'node:path';
import type { OutputConfig } from '../../common/caption-outputs';
import { FakeObsServer } from './fake-obs-server';
import { FakeCaptionPlatform } from './fake-platforms';

/** Password of the fake OBS. */
const OBS_PASSWORD = 'bench-obs-password';

/** Running fake targets and the outputs that point at them. */
export interface FakeTargets {
  outputs: OutputConfig[];
  /** HTTP fakes by output id (`youtube-en`, `zoom-ar`...). */
  http: Map<string, FakeCaptionPlatform>;
  obs: FakeObsServer;
  /** Directory of the live files. */
  filesDir: string;
  close(): Promise<void>;
}

/**
 * Starts the fakes for `channels` of `room`; live files go to `<dir>/live`. YouTube's fake clock runs 3 s behind
 * (the drivers must follow the platform's clock).
 */
export async function startFakeTargets(room: string, channels: readonly string[], dir: string): Promise<FakeTargets> {
  const http = new Map<string, FakeCaptionPlatform>();
  const outputs: OutputConfig[] = [];
  const filesDir = join(dir, 'live');
  for (const channel of channels) {
    for (const kind of ['youtube', 'zoom', 'teams'] as const) {
      const fake = await FakeCaptionPlatform.start({ kind, ...(kind === 'youtube' ? { clockSkewMs: -3000 } : {}) });
      http.set(`${kind}-${channel}`, fake);
      outputs.push({ kind, id: `${kind}-${channel}`, room, channel, url: fake.url });
    }
    outputs.push({ kind: 'file', id: `file-${channel}`, room, channel, dir: filesDir, formats: ['srt'] });
  }
  const obs = await FakeObsServer.start(OBS_PASSWORD);
  for (const channel of channels.filter((c) => c === 'en')) {
    outputs.push({ kind: 'obs', id: `obs-${channel}`, room, channel, url: obs.url, password: OBS_PASSWORD });
  }
  return {
    outputs,
    http,
    obs,
    filesDir,
    close: async () => {
      await obs.close();
      await Promise.all([...http.values()].map((f) => f.close()));
    },
  };
}
