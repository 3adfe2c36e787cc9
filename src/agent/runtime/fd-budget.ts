import { readdirSync, readFileSync } from 'node:fs';

/**
 * File descriptors are the one thing a student on the laptop can take from
 * the agent by only connecting to it: every open connection to the control
 * socket or the browsers' proxy holds one, and the process guard needs one
 * for every /proc file it reads. A red-team laptop with 20,000 idle control
 * connections had a guard failing with EMFILE while a blocked app ran on.
 * So whatever listens gets its share from one budget, and a reserve stays
 * for the guard, the store, the log and the sync with the server.
 */

/** Descriptors no listener may take: the guard's /proc reads, SQLite and its journal, the sync's HTTP and stream, `ss`, logs. */
export const FD_RESERVE = 256;

/** This process's soft limit on open files (Linux: /proc/self/limits); undefined where it cannot be read. */
export function openFileLimit(limits: () => string = () => readFileSync('/proc/self/limits', 'utf8')): number | undefined {
  try {
    const match = /^Max open files\s+(\d+|unlimited)\s/m.exec(limits());
    if (!match) return undefined;
    return match[1] === 'unlimited' ? Number.POSITIVE_INFINITY : Number(match[1]);
  } catch {
    return undefined;
  }
}

/** How many descriptors this process has open now; undefined where it cannot be counted. */
export function openDescriptors(): number | undefined {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return undefined;
  }
}

export class DescriptorBudget {
  #left: number;

  /** `limit` and `open` unknown (not Linux): the listeners keep their own caps, which are far below any OS default. */
  constructor(limit = openFileLimit(), open = openDescriptors(), reserve = FD_RESERVE) {
    this.#left = limit === undefined || open === undefined ? Number.POSITIVE_INFINITY : Math.max(0, limit - open - reserve);
  }

  get left(): number {
    return this.#left;
  }

  /**
   * Takes up to `wanted` descriptors for a listener and returns how many it
   * got (at least 1, so a listener on a starved process still answers one at a time).
   */
  claim(wanted: number): number {
    const granted = Math.max(1, Math.min(wanted, this.#left));
    this.#left = Math.max(0, this.#left - granted);
    return granted;
  }
}
