/**
 * Answers "whose is this connection?" for many connections with few
 * lookups: connections arriving while a lookup runs wait for the next one,
 * which covers them all. A lookup costs a process start (see peer-uid.linux.ts),
 * so a flood of connections costs at most one every MIN_GAP_MS, not one each.
 */

/** Our side's socket inodes → the peer's uid (a connection missing from the answer is unidentified). */
export type PeerLookup = (inodes: readonly number[]) => Promise<ReadonlyMap<number, number>>;

/**
 * At least this long between two lookups: a student hammering connect()
 * makes the agent run `ss` at most ten times a second (about 15 ms of CPU
 * each), and a real tray or command waits at most this long.
 */
export const MIN_GAP_MS = 100;

export class PeerIdentifier {
  readonly #lookup: PeerLookup;
  readonly #onFailure: (error: unknown) => void;
  #waiting = new Map<number, ((uid: number | undefined) => void)[]>();
  #running = false;
  #lastStart = Number.NEGATIVE_INFINITY;
  #timer: NodeJS.Timeout | undefined;

  constructor(lookup: PeerLookup, onFailure: (error: unknown) => void) {
    this.#lookup = lookup;
    this.#onFailure = onFailure;
  }

  /** The uid on the other end of the connection whose socket inode is `inode`; undefined when it cannot be told. */
  identify(inode: number): Promise<number | undefined> {
    return new Promise((resolve) => {
      const waiting = this.#waiting.get(inode);
      if (waiting) waiting.push(resolve);
      else this.#waiting.set(inode, [resolve]);
      this.#schedule();
    });
  }

  /** Stops waiting: every open question is answered "unknown". */
  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const waiting = this.#waiting;
    this.#waiting = new Map();
    for (const resolvers of waiting.values()) for (const resolve of resolvers) resolve(undefined);
  }

  #schedule(): void {
    if (this.#running || this.#timer !== undefined || this.#waiting.size === 0) return;
    const delay = Math.max(0, this.#lastStart + MIN_GAP_MS - performance.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#run();
    }, delay);
  }

  async #run(): Promise<void> {
    const batch = this.#waiting;
    this.#waiting = new Map();
    this.#running = true;
    this.#lastStart = performance.now();
    let found: ReadonlyMap<number, number> = new Map();
    try {
      found = await this.#lookup([...batch.keys()]);
    } catch (error) {
      this.#onFailure(error);
    }
    this.#running = false;
    for (const [inode, resolvers] of batch) for (const resolve of resolvers) resolve(found.get(inode));
    this.#schedule();
  }
}
