/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential
 * Backoff And Jitter"): a whole school of laptops coming back after a server
 * restart spreads its retries out instead of hammering it in waves.
 */

/** The first retry comes quickly: most failures are a blip (a restart, a Wi-Fi handover). */
export const BACKOFF_BASE_MS = 1_000;
/** Never wait longer than this: after a long outage a device is back within five minutes of the server. */
export const BACKOFF_MAX_MS = 5 * 60_000;

export class Backoff {
  #failures = 0;
  readonly #random: () => number;
  readonly #baseMs: number;
  readonly #maxMs: number;

  constructor(options: { random?: () => number; baseMs?: number; maxMs?: number } = {}) {
    this.#random = options.random ?? Math.random;
    this.#baseMs = options.baseMs ?? BACKOFF_BASE_MS;
    this.#maxMs = options.maxMs ?? BACKOFF_MAX_MS;
  }

  get failures(): number {
    return this.#failures;
  }

  /** Records a failure; returns how long to wait before the next attempt. */
  next(): number {
    const ceiling = Math.min(this.#maxMs, this.#baseMs * 2 ** Math.min(this.#failures, 30));
    this.#failures += 1;
    return Math.floor(this.#random() * ceiling);
  }

  reset(): void {
    this.#failures = 0;
  }
}
