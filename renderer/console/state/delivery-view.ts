/**
 * What the on-air indicator and its delivery figures say, from the core's hub status, handover and
 * speech-to-text status. Pure, so the rules are tested without a page: the indicator never shows a plain
 * "ON AIR" while lines do not reach the hub (the core turns delivery `late` within a second of a line going
 * unacknowledged, `failing` at once when the link is lost or the hub refuses).
 */
import type { HubStatus, SttStatus } from '../../../electron/common/console-api';

/** One glanceable figure beside the indicator. */
export interface DeliveryFigure {
  /** Stable key (tests, `data-figure`). */
  key: 'rtt' | 'displays' | 'lag-floor' | 'lag-voice' | 'dropped-floor' | 'dropped-voice';
  text: string;
  /** Worth a person's attention now. */
  warn: boolean;
  /** A longer explanation (tooltip). */
  title: string;
}

/** The indicator and its figures. */
export interface DeliveryView {
  /** `on`: on air and delivered; `late`/`failing`: on air, lines not (yet) at the hub; `off`: not on air. */
  tone: 'on' | 'late' | 'failing' | 'off';
  label: string;
  /** Why it is not plain ON AIR (shown beside it, and read out: role=status). */
  reason: string | null;
  figures: DeliveryFigure[];
}

/** STT lag above this many seconds is worth a look (the captions run that far behind the speaker). */
export const LAG_WARN_SECONDS = 3;

const SAMPLE_RATE = 16_000;

/** The view of a console publishing `channel`, on air or not. */
export function deliveryView(input: { onAir: boolean; hub: HubStatus | null; channel: string; stt: readonly SttStatus[] }): DeliveryView {
  const { onAir, hub, channel } = input;
  const delivery = hub?.delivery ?? { state: 'failing' as const, reason: 'Not connected to a hub.', oldestPendingMs: null };
  let tone: DeliveryView['tone'] = 'off';
  let label = 'OFF AIR';
  let reason: string | null = null;
  if (onAir) {
    if (delivery.state === 'ok') {
      tone = 'on';
      label = 'ON AIR';
    } else if (delivery.state === 'late') {
      tone = 'late';
      label = 'ON AIR · NOT CONFIRMED';
      reason = delivery.reason;
    } else {
      tone = 'failing';
      label = 'ON AIR · NOT DELIVERED';
      reason = delivery.reason;
    }
  }
  const figures: DeliveryFigure[] = [];
  if (hub?.state === 'connected' && hub.latencyMs !== null) {
    const ms = Math.round(hub.latencyMs);
    figures.push({ key: 'rtt', text: `hub ${ms} ms`, warn: ms >= 500, title: 'Round trip to the hub (the last ping)' });
  } else {
    figures.push({ key: 'rtt', text: 'hub —', warn: onAir, title: 'No round trip: the hub is not connected' });
  }
  const watching = hub?.displays?.[channel];
  if (watching !== undefined) {
    figures.push({
      key: 'displays',
      text: `${watching} ${watching === 1 ? 'display' : 'displays'}`,
      warn: onAir && watching === 0,
      title: watching === 0 ? `No room display shows ${channel} now` : `Room displays showing ${channel} now`,
    });
  }
  for (const s of input.stt) {
    if (s.status === 'stopped') continue;
    // Audio waiting for the worker, or speech the streaming policy has not captioned yet: whichever is larger.
    const lags = [s.lagSeconds, s.realtime?.lagSeconds].filter((l): l is number => l !== undefined);
    if (lags.length > 0) {
      const lag = Math.max(...lags);
      figures.push({
        key: s.source === 'floor' ? 'lag-floor' : 'lag-voice',
        text: `${s.source} ${lag.toFixed(1)} s behind`,
        warn: lag > LAG_WARN_SECONDS,
        title: `Speech-to-text of the ${s.source} runs this many seconds of audio behind the speaker`,
      });
    }
    // Dropped before the worker (its buffer was full) and by the policy (it could not decode in time).
    const dropped = (s.droppedFrames ?? 0) / SAMPLE_RATE + (s.realtime?.droppedSeconds ?? 0);
    if (dropped > 0) {
      figures.push({
        key: s.source === 'floor' ? 'dropped-floor' : 'dropped-voice',
        text: `${s.source} ${dropped.toFixed(1)} s dropped`,
        warn: true,
        title: `Audio of the ${s.source} dropped because speech-to-text was down or behind`,
      });
    }
  }
  return { tone, label, reason, figures };
}
