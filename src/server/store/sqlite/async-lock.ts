/**
 * Runs async work one piece at a time, in the order it was asked for.
 *
 * Why the SQLite store needs it: better-sqlite3 is synchronous, but the store's
 * transactions are async functions (so that one body serves both databases).
 * Between two awaits of one transaction, another call could otherwise run a
 * statement on the same connection — inside the first one's transaction — or,
 * on a second connection to the same file in this process, block the only
 * thread in SQLite's busy wait while the first transaction can never finish.
 */
export class AsyncLock {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(work);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}

const locksByFile = new Map<string, AsyncLock>();

/** The one lock for every connection this process opens to `file` (a resolved path). */
export function lockForFile(file: string): AsyncLock {
  let lock = locksByFile.get(file);
  if (lock === undefined) {
    lock = new AsyncLock();
    locksByFile.set(file, lock);
  }
  return lock;
}
