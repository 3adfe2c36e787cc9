/**
 * A process guard that cannot look stops nothing: the red team's socket
 * flood left it failing with EMFILE on /proc while a blocked app ran on, and
 * nothing but a log line said so. A failure is therefore a tamper event for
 * the leaders' device health, once at the start of a run of failures and
 * then at most every GUARD_FAILURE_REPORT_EVERY_MS while it goes on (the
 * guard retries four times a second).
 */
export const GUARD_FAILURE_REPORT_EVERY_MS = 10 * 60_000;

/** What went wrong in words an event may carry: the error code where there is one (EMFILE), never a student's path or a URL. */
export function guardFailureDetail(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const what = typeof code === 'string' && /^[A-Z0-9_]{2,32}$/.test(code)
    ? code
    : ((error as Error | null)?.name ?? 'Error');
  return `the process guard failed (${what}): blocked apps may run until it recovers`;
}

/** Calls `report` with a detail for the first failure and then at most every GUARD_FAILURE_REPORT_EVERY_MS. */
export function guardFailureReporter(report: (detail: string) => void, monotonic: () => number = () => performance.now()): (error: unknown) => void {
  let last = Number.NEGATIVE_INFINITY;
  return (error) => {
    const now = monotonic();
    if (now - last < GUARD_FAILURE_REPORT_EVERY_MS) return;
    last = now;
    report(guardFailureDetail(error));
  };
}
