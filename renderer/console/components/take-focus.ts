/**
 * A Svelte action for short-lived controls that take the keyboard (a correction field, an inline confirmation):
 * focused when they appear, and when they go away with the focus, the focus goes back where it was (else to the
 * element `fallback` selects, else the typed input), so the next keys never go nowhere.
 */
export function takeFocus(node: HTMLElement, options: { select?: boolean; fallback?: string } = {}): { destroy(): void } {
  const active = document.activeElement;
  const returnTo = active instanceof HTMLElement && active !== document.body && !node.contains(active) ? active : null;
  node.focus();
  if (options.select && node instanceof HTMLInputElement) node.select();
  return {
    destroy() {
      // Once the control has left the DOM (this runs before), and only when the focus went down with it: a click
      // elsewhere keeps its own target.
      queueMicrotask(() => {
        if (document.activeElement && document.activeElement !== document.body) return;
        const fallback = options.fallback ? document.querySelector<HTMLElement>(options.fallback) : null;
        const back = returnTo?.isConnected ? returnTo : (fallback ?? document.getElementById('typed-input'));
        back?.focus();
      });
    },
  };
}
