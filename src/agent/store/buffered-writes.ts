import { sqliteCodeOf } from './errors.ts';
import type { AppendEventInput, DeviceStore } from './types.ts';

/**
 * What the agent writes while it enforces (exception and enforcement events,
 * blocks), held in memory when the disk is full instead of lost or fatal: a
 * full disk must neither stop enforcement nor drop the record silently. The
 * held writes go to the store, oldest first, at the next flush once there is
 * room, followed by a note of how long and how many (and how many did not
 * fit in memory either, which are counted, never guessed).
 */

/** Writes held at most (a day of heavy blocking is far fewer: blocks are coalesced per 5 minutes). */
export const MAX_HELD_WRITES = 5_000;

type Write = { readonly kind: 'event'; readonly input: AppendEventInput } | { readonly kind: 'block'; readonly input: Parameters<DeviceStore['recordBlock']>[0] };

/** Errors a full or failing disk gives; anything else (an invalid event) is a bug and is thrown. */
function isDiskFull(error: unknown): boolean {
  const codes = [sqliteCodeOf(error), sqliteCodeOf((error as { cause?: unknown } | undefined)?.cause), (error as NodeJS.ErrnoException | undefined)?.code];
  return codes.some((code) => code === 'SQLITE_FULL' || code === 'ENOSPC' || code?.startsWith('SQLITE_IOERR') === true);
}

export class BufferedWrites {
  readonly #store: Pick<DeviceStore, 'appendEvent' | 'recordBlock'>;
  readonly #now: () => number;
  readonly #onHold: (message: string) => void;
  readonly #policyVersion: string;
  readonly #held: Write[] = [];
  #lost = 0;
  #since: number | null = null;

  constructor(store: Pick<DeviceStore, 'appendEvent' | 'recordBlock'>, options: { now: () => number; policyVersion: string; onHold: (message: string) => void }) {
    this.#store = store;
    this.#policyVersion = options.policyVersion;
    this.#now = options.now;
    this.#onHold = options.onHold;
  }

  /** Writes held in memory now. */
  get held(): number {
    return this.#held.length;
  }

  appendEvent(input: AppendEventInput): void {
    // The moment it happened, not the moment there was room to write it.
    this.#write({ kind: 'event', input: { ...input, occurredAt: input.occurredAt ?? this.#now() } as AppendEventInput });
  }

  recordBlock(input: Parameters<DeviceStore['recordBlock']>[0]): void {
    this.#write({ kind: 'block', input });
  }

  /** Writes what is held, if there is room now; returns how many went to the store. */
  flush(): number {
    if (this.#held.length === 0 && this.#lost === 0) return 0;
    let written = 0;
    while (this.#held.length > 0) {
      if (!this.#tryWrite(this.#held[0]!)) return written;
      this.#held.shift();
      written++;
    }
    const detail = `the disk was full from ${new Date(this.#since ?? this.#now()).toISOString()}: ${written} event(s) were kept in memory and written later`
      + (this.#lost > 0 ? `, ${this.#lost} did not fit in memory and are lost` : '');
    if (this.#tryWrite({ kind: 'event', input: { type: 'tamper', policyVersion: this.#policyVersion, payload: { kind: 'store-full', detail } } as AppendEventInput })) {
      this.#lost = 0;
      this.#since = null;
    }
    return written;
  }

  #write(write: Write): void {
    // Order is kept: nothing new goes ahead of what is held.
    if (this.#held.length > 0) this.flush();
    if (this.#held.length > 0 || !this.#tryWrite(write)) this.#hold(write);
  }

  #tryWrite(write: Write): boolean {
    try {
      if (write.kind === 'event') this.#store.appendEvent(write.input);
      else this.#store.recordBlock(write.input);
      return true;
    } catch (error) {
      if (!isDiskFull(error)) throw error;
      return false;
    }
  }

  #hold(write: Write): void {
    if (this.#since === null) {
      this.#since = this.#now();
      this.#onHold('the disk is full: events are kept in memory until there is room again');
    }
    if (this.#held.length < MAX_HELD_WRITES) this.#held.push(write);
    else this.#lost++;
  }
}
