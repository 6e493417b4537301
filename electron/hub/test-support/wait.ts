/** The one wait helper of the tests. */

/**
 * Resolves when `predicate` holds (checked every 10 ms; it may be async, for state that has no event of its own);
 * rejects after `timeoutMs` naming `what`.
 */
export async function until(predicate: () => boolean | Promise<boolean>, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
