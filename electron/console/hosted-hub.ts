/**
 * Host mode: the caption hub embedded in the console (one room; the booth relay, and the platform outputs of the
 * settings when there are any), and what the page
 * shows so room screens can find it: the hub's start page on each LAN address of this machine, each channel's
 * display link, and a QR code of the room's phone page on the first address.
 */
import { isAbsolute, join } from 'node:path';
import QRCode from 'qrcode';
import { boothRelay, startCaptionHub, type CaptionHub } from '../hub/index';
import { checkOutputRooms, hubOutputs } from '../hub/outputs/hub-outputs';
import type { OutputConfig } from '../common/caption-outputs';
import { displayUrl, phoneUrl } from '../common/hub-config';
import type { Settings } from '../common/console-api';
import { CONSOLE_ERROR_CODES, fail, ok, type ConsoleResult } from '../common/console-api-result';
import { lanAddresses } from '../node/lan-addresses';
import { prefixedLogger } from '../node/logger';
import type { CoreLogger } from './console-context';

/** A QR code of `text` as an SVG data URL (shown by the page as an image; the console CSP allows data: images). */
export async function qrSvgDataUrl(text: string): Promise<string> {
  const svg = await QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return `data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')}`;
}

/** A running embedded hub and where displays reach it. */
export interface HostedHub {
  /** The URL the console itself connects to. */
  url: string;
  /** The room's channels as hosted. */
  channels: readonly string[];
  /** The hub's start page on each address displays can use (first = preferred). */
  displayUrls: string[];
  /** Each channel's display page on the first address. */
  displayLinks: Record<string, string>;
  /** A QR code of the room's phone page on the first address (see `phoneUrl`). */
  qrDataUrl: string;
  close(): Promise<void>;
}

/** Where the embedded hub keeps its journal and finds the display page. */
export interface HostedHubOptions {
  dataDir: string;
  staticDir?: string;
  logger: CoreLogger;
}

/** The addresses displays can use to reach a hub listening on `hostAddress`. */
function displayHosts(hostAddress: string): string[] {
  if (hostAddress === '127.0.0.1' || hostAddress === 'localhost' || hostAddress === '::1') return ['127.0.0.1'];
  const hosts = hostAddress === '0.0.0.0' || hostAddress === '::' ? lanAddresses() : [hostAddress];
  return hosts.length > 0 ? hosts : ['127.0.0.1'];
}

/**
 * The settings' outputs as the hosted hub runs them: a file output's relative folder is taken in the console's data
 * dir. Outputs that name another room or a channel the room lacks are left out (and logged): the settings check
 * refuses them at Save, and a hand-edited file must not keep the room's captions from starting.
 */
function hostedOutputs(settings: Readonly<Settings>, dataDir: string, logger: CoreLogger): OutputConfig[] {
  const room = [{ id: settings.room, channels: [...settings.hostChannels] }];
  const kept: OutputConfig[] = [];
  for (const o of settings.outputs) {
    const mismatch = checkOutputRooms([o], room);
    if (mismatch) {
      logger.warn('platform output left out', { reason: mismatch });
      continue;
    }
    kept.push(o.kind === 'file' && !isAbsolute(o.dir) ? { ...o, dir: join(dataDir, o.dir) } : o);
  }
  return kept;
}

/** Starts the embedded hub for the room the settings describe (they carry its secret and platform outputs). */
export async function startHostedHub(settings: Readonly<Settings>, options: HostedHubOptions): Promise<ConsoleResult<HostedHub>> {
  const { logger } = options;
  const hubDataDir = join(options.dataDir, 'hub');
  const outputs = hostedOutputs(settings, options.dataDir, logger);
  let hub: CaptionHub;
  try {
    hub = await startCaptionHub({
      features: outputs.length > 0 ? [boothRelay(), hubOutputs({ outputs, dataDir: hubDataDir })] : [boothRelay()],
      port: settings.hostPort,
      host: settings.hostAddress,
      rooms: [{ id: settings.room, channels: [...settings.hostChannels], secret: settings.secret }],
      dataDir: hubDataDir,
      ...(options.staticDir ? { staticDir: options.staticDir } : {}),
      logger: prefixedLogger(logger, 'hub: '),
    });
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'UNKNOWN';
    const message =
      code === 'EADDRINUSE'
        ? `Port ${settings.hostPort} is in use on this machine: pick another port or join the hub that runs there.`
        : `The embedded hub did not start (${code}): ${(err as Error).message}`;
    return fail(CONSOLE_ERROR_CODES.HOST_FAILED, message);
  }
  const channels = hub.rooms.find((r) => r.id === settings.room)?.channels.slice() ?? [...settings.hostChannels];
  const bases = displayHosts(settings.hostAddress).map((h) => `http://${h}:${hub.port}`);
  const displayLinks: Record<string, string> = {};
  for (const channel of channels) displayLinks[channel] = displayUrl(bases[0]!, settings.room, [channel]);
  return ok({
    url: hub.url,
    channels,
    displayUrls: bases.map((b) => `${b}/`),
    displayLinks,
    // The room's QR code leads attendees' phones to the phone page (their language, their text size).
    qrDataUrl: await qrSvgDataUrl(phoneUrl(bases[0]!, settings.room, channels)),
    close: async () => {
      await hub.close().catch((err: unknown) => logger.warn('hub close failed', { error: String(err) }));
    },
  });
}
