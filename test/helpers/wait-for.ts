/**
 * The one way the tests wait: polls `check` until it returns something other
 * than undefined or false, and returns that; fails naming `what` after
 * `timeoutMs`. The deadline is generous on purpose: tests share a 2-core
 * machine with real processes and databases, and assert what happened, never
 * how fast.
 */
export async function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 20_000,
  everyMs = 10,
): Promise<Exclude<T, undefined | false>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value as Exclude<T, undefined | false>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
