/**
 * The console `npm run bench:crash` kills: a real console core (session record, outbox, hub link) on a data
 * folder, a booth of channel `en` on the bench's hub, publishing typed lines (partials, then the final) and voice
 * lines (a scripted speech-to-text source: its finals take the console's own voice path, router to publisher)
 * until it is killed. It prints one JSON line per event on standard output:
 *
 *   {"t":"ready"}                      linked and on air (or, with --drain, once everything reached the hub)
 *   {"t":"saved","id":..,"text":..}    the console reported this committed line saved (on disk in its record)
 *
 *   tsx bench/crash-console.ts --data-dir <dir> --hub <url> --secret <s> --run <n> [--drain]
 */
import { parseArgs } from 'node:util';
import { ok } from '../electron/common/result';
import type { CaptionEvent } from '../electron/common/stt-protocol';
import { ConsoleCore } from '../electron/console/console-core';
import type { SttSourceFactory } from '../electron/console/stt-source';
import type { Logger } from '../electron/node/logger';

const { values: args } = parseArgs({
  options: {
    'data-dir': { type: 'string' },
    hub: { type: 'string' },
    secret: { type: 'string' },
    run: { type: 'string', default: '0' },
    drain: { type: 'boolean', default: false },
  },
});
const run = Number(args.run);

function out(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: (m, f) => process.stderr.write(`${m} ${JSON.stringify(f ?? {})}\n`) };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const between = (lo: number, hi: number): number => lo + Math.random() * (hi - lo);

/** A voice source that "hears" a sentence every 0.3-0.8 s and gives it as a final, like the worker would. */
const scriptedVoice: SttSourceFactory = (request, events) => {
  let n = 0;
  let stopped = false;
  let at = 0;
  setTimeout(() => events.status({ type: 'status', state: 'ready' }), 0);
  const tick = (): void => {
    if (stopped) return;
    n++;
    const caption: CaptionEvent = { type: 'caption', id: `${request.idPrefix}${n}`, state: 'final', text: `voice run ${run} line ${n}`, start: at, end: at + 1.5, lang: 'en' };
    at += 2;
    events.caption(caption);
    timer = setTimeout(tick, between(300, 800));
  };
  let timer = setTimeout(tick, between(300, 800));
  return {
    push: () => undefined,
    setGlossary: () => undefined,
    setLanguage: () => undefined,
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
};

async function main(): Promise<void> {
  const core = await ConsoleCore.create({
    dataDir: args['data-dir']!,
    logger: quiet,
    sttFactory: scriptedVoice,
    resolveModel: async () => ok('scripted-voice'),
    pingIntervalMs: 500,
    pingTimeoutMs: 1000,
    resendAfterMs: 1500,
  });
  core.on('line:delivery', (e) => {
    if (e.status === 'recorded') out({ t: 'saved', id: e.id });
  });
  const state = await core.getState();
  if (state.ok && state.value.hub.state === 'disconnected' && !state.value.settings.hasSecret) {
    // First start on this data folder: the booth's settings (kept for every restart after).
    await core.updateSettings({ hubMode: 'join', hubUrl: args.hub!, role: 'booth', channel: 'en', room: 'main', secret: args.secret!, label: 'Crash booth', voiceReviewMs: 0 });
    void core.connectHub();
  }
  const onAir = async (): Promise<boolean> => {
    const s = await core.getState();
    return s.ok && s.value.handover.onAir;
  };
  while (!(await onAir())) await sleep(50);

  if (args.drain) {
    for (;;) {
      const s = await core.getState();
      if (s.ok && s.value.hub.state === 'connected' && s.value.hub.outboxPending === 0) break;
      await sleep(100);
    }
    out({ t: 'ready' });
    process.on('SIGTERM', () => void core.close().then(() => process.exit(0)));
    return;
  }

  out({ t: 'ready' });
  await core.startSource('voice', { language: 'en' });
  for (let n = 1; ; n++) {
    const text = `typed run ${run} line ${n}`;
    const id = `typed-${run}-${n}`;
    const words = text.split(' ');
    for (let k = 2; k < words.length; k += 2) {
      await core.publish({ channel: 'en', id, text: words.slice(0, k).join(' '), state: 'partial', source: 'typed', lang: 'en' });
      await sleep(between(20, 60));
    }
    await core.publish({ channel: 'en', id, text, state: 'final', source: 'typed', lang: 'en' });
    await sleep(between(50, 250));
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`crash-console: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
