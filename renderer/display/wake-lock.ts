/**
 * Keeps the screen on while the page is visible, where the browser allows it: the Screen Wake Lock API needs a
 * secure context (https, or localhost) and is released whenever the page is hidden, so it is asked again each
 * time the page shows, and on the first tap for browsers that want a gesture. Elsewhere the device's power
 * settings decide; nothing breaks.
 */

/** Starts keeping the screen awake; returns a function that stops it. */
export function keepScreenAwake(doc: Document = document, nav: Navigator = navigator): () => void {
  if (!('wakeLock' in nav) || !nav.wakeLock) return () => undefined;
  let sentinel: WakeLockSentinel | null = null;
  let stopped = false;
  const request = (): void => {
    if (stopped || doc.visibilityState !== 'visible' || (sentinel && !sentinel.released)) return;
    nav.wakeLock.request('screen').then(
      (s) => {
        sentinel = s;
        if (stopped) void s.release().catch(() => undefined);
      },
      () => undefined,
    );
  };
  request();
  doc.addEventListener('visibilitychange', request);
  doc.addEventListener('pointerdown', request, { passive: true });
  return () => {
    stopped = true;
    doc.removeEventListener('visibilitychange', request);
    doc.removeEventListener('pointerdown', request);
    void sentinel?.release().catch(() => undefined);
  };
}
