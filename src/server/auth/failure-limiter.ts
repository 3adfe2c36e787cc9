/**
 * Counts failures per key in a sliding window and refuses a key that failed
 * too often, until its oldest failure leaves the window. In memory: a
 * restart forgets, which is acceptable for slowing down guessing (the
 * passwords are scrypt-hashed besides), and needs no database writes on the
 * login path.
 */

export interface FailureLimit {
  /** Failures allowed within the window; the next attempt is refused. */
  readonly maxFailures: number;
  readonly windowMs: number;
}

/**
 * Keys kept at most. Beyond it the stalest keys are dropped, so an attacker
 * cycling through usernames or addresses cannot grow the map without bound.
 */
export const MAX_TRACKED_KEYS = 100_000;

export class FailureLimiter {
  readonly #limit: FailureLimit;
  readonly #failures = new Map<string, number[]>();

  constructor(limit: FailureLimit) {
    this.#limit = limit;
  }

  /** Milliseconds until `key` may try again, or 0 when it may try now. */
  retryAfter(key: string, now: number): number {
    const recent = this.#recent(key, now);
    if (recent.length < this.#limit.maxFailures) return 0;
    return recent[recent.length - this.#limit.maxFailures]! + this.#limit.windowMs - now;
  }

  fail(key: string, now: number): void {
    const recent = this.#recent(key, now);
    recent.push(now);
    // Re-inserting moves the key to the end, so the map's order is least recently failed first.
    this.#failures.delete(key);
    this.#failures.set(key, recent.slice(-this.#limit.maxFailures));
    while (this.#failures.size > MAX_TRACKED_KEYS) this.#failures.delete(this.#failures.keys().next().value!);
  }

  reset(key: string): void {
    this.#failures.delete(key);
  }

  #recent(key: string, now: number): number[] {
    const all = this.#failures.get(key) ?? [];
    const recent = all.filter((at) => at > now - this.#limit.windowMs);
    if (recent.length === 0) this.#failures.delete(key);
    return recent;
  }
}
