/**
 * How many of something (connections, subscribe streams) each user may hold
 * at once, and all users together. Whose a connection is comes from its peer
 * uid (see peer-uid.linux.ts); a connection that cannot be told is counted
 * under UNKNOWN_PEER, which only the total bounds (rather than one student's
 * flood shutting every other unidentified caller out).
 */

export const UNKNOWN_PEER = 'unknown';
export type PeerKey = number | typeof UNKNOWN_PEER;

export interface LimitOptions {
  readonly total: number;
  readonly perUser: number;
  /** Users the per-user limit does not apply to (root: IT at the laptop); the total still does. */
  readonly exempt?: (key: PeerKey) => boolean;
}

export class ConnectionLimits {
  readonly #options: LimitOptions;
  readonly #held = new Map<PeerKey, number>();
  #total = 0;

  constructor(options: LimitOptions) {
    this.#options = options;
  }

  get total(): number {
    return this.#total;
  }

  heldBy(key: PeerKey): number {
    return this.#held.get(key) ?? 0;
  }

  /** Takes one for `key` when both its own and the total limit allow; false (and nothing taken) otherwise. */
  tryTake(key: PeerKey): boolean {
    if (this.#total >= this.#options.total) return false;
    const held = this.heldBy(key);
    const limited = key !== UNKNOWN_PEER && !(this.#options.exempt?.(key) ?? false);
    if (limited && held >= this.#options.perUser) return false;
    this.#held.set(key, held + 1);
    this.#total++;
    return true;
  }

  release(key: PeerKey): void {
    const held = this.heldBy(key);
    if (held === 0) return;
    if (held === 1) this.#held.delete(key);
    else this.#held.set(key, held - 1);
    this.#total--;
  }
}
