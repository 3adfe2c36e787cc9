/**
 * Turns systeminformation's "YYYY-MM-DD HH:MM:SS" start time (local wall
 * time, to the second) into epoch ms; NaN when it is missing or malformed.
 */
export function parseStarted(started: string | undefined): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(started ?? '');
  if (!m) return Number.NaN;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  return new Date(y, mo - 1, d, h, mi, s).getTime();
}

/**
 * Start times that stay put. A source whose start times wobble (macOS via
 * systeminformation, see si-source.ts) would otherwise make one process look
 * like a new one on every list. A pid whose name is unchanged and whose
 * start time is within `toleranceMs` of the one remembered keeps it; any
 * other change means a new process on a reused pid.
 */
export class StartTimes {
  readonly #toleranceMs: number;
  readonly #known = new Map<number, { readonly name: string; readonly startTime: number }>();

  constructor(toleranceMs: number) {
    this.#toleranceMs = toleranceMs;
  }

  /** The start time to use for `pid`; a missing time (NaN) counts as 0, the same every list. */
  identify(pid: number, name: string, parsed: number): number {
    const startTime = Number.isNaN(parsed) ? 0 : parsed;
    const known = this.#known.get(pid);
    if (known && known.name === name && Math.abs(known.startTime - startTime) <= this.#toleranceMs) return known.startTime;
    this.#known.set(pid, { name, startTime });
    return startTime;
  }

  /** Forgets pids that are gone. */
  keepOnly(pids: ReadonlySet<number>): void {
    for (const pid of this.#known.keys()) if (!pids.has(pid)) this.#known.delete(pid);
  }
}
