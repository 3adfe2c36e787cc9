import { createHash } from 'node:crypto';
import type { ServerStore } from '../store/index.ts';

/**
 * Counts hits (failed logins, wrong codes, enrollments) per key in a sliding
 * window and refuses a key that was hit too often, until its oldest hit
 * leaves the window. Where the hits are kept is a LimiterState: the server
 * keeps them in its database, so several server processes behind one
 * address (and a restarted one) count together; tests and tools may keep
 * them in memory.
 */

export interface FailureLimit {
  /** Hits allowed within the window; the next attempt is refused. */
  readonly maxFailures: number;
  readonly windowMs: number;
}

/** Where a limiter keeps its hits. */
export interface LimiterState {
  /** The latest `max` hits of the key after `since`, oldest first. */
  hits(key: string, since: number, max: number): Promise<number[]>;
  record(key: string, at: number): Promise<void>;
  clear(key: string): Promise<void>;
}

/**
 * Keys kept at most in memory. Beyond it the stalest keys are dropped, so an
 * attacker cycling through usernames or addresses cannot grow the map without bound.
 */
export const MAX_TRACKED_KEYS = 100_000;

export function memoryLimiterState(): LimiterState {
  const hits = new Map<string, number[]>();
  return {
    async hits(key, since, max) {
      return (hits.get(key) ?? []).filter((at) => at > since).slice(-max);
    },
    async record(key, at) {
      const kept = [...(hits.get(key) ?? []), at].slice(-1_000);
      // Re-inserting moves the key to the end, so the map's order is least recently hit first.
      hits.delete(key);
      hits.set(key, kept);
      while (hits.size > MAX_TRACKED_KEYS) hits.delete(hits.keys().next().value!);
    },
    async clear(key) {
      hits.delete(key);
    },
  };
}

/** Longer keys (a long username, a long forwarded address) are kept as their hash, so every key fits the store. */
const LONGEST_STORED_KEY = 200;

/** A limiter's hits in the server store under `limiter` (see ServerStore.rateLimitHits). */
export function storeLimiterState(store: Pick<ServerStore, 'rateLimitHits' | 'recordRateLimitHit' | 'clearRateLimitHits'>, limiter: string): LimiterState {
  const stored = (key: string) => (key.length <= LONGEST_STORED_KEY && !/\p{Cc}/u.test(key) ? key : `sha256:${createHash('sha256').update(key).digest('hex')}`);
  return {
    hits: (key, since, max) => store.rateLimitHits(limiter, stored(key), since, max),
    record: (key, at) => store.recordRateLimitHit(limiter, stored(key), at),
    clear: (key) => store.clearRateLimitHits(limiter, stored(key)),
  };
}

export class FailureLimiter {
  readonly #limit: FailureLimit;
  readonly #state: LimiterState;

  constructor(limit: FailureLimit, state: LimiterState = memoryLimiterState()) {
    this.#limit = limit;
    this.#state = state;
  }

  /** Milliseconds until `key` may try again, or 0 when it may try now. */
  async retryAfter(key: string, now: number): Promise<number> {
    const { maxFailures, windowMs } = this.#limit;
    const recent = await this.#state.hits(key, now - windowMs, maxFailures);
    if (recent.length < maxFailures) return 0;
    return recent[0]! + windowMs - now;
  }

  async fail(key: string, now: number): Promise<void> {
    await this.#state.record(key, now);
  }

  async reset(key: string): Promise<void> {
    await this.#state.clear(key);
  }
}
