import Database from 'better-sqlite3';
import { join } from 'node:path';
import { ServerStoreError } from '../store/errors.ts';

/**
 * SQLite serves one server process. The file itself would take a second
 * one (WAL lets several processes write in turn), but live grants,
 * revocations and the laptops' streams live inside the process that holds
 * them: a grant posted on one would never reach a laptop streaming from the
 * other. So a second `lesmodus server` on the same data folder refuses to
 * start. The admin CLI (user add, device revoke, …) is not a server and may
 * still open the database beside the running one.
 *
 * The lock is SQLite's own exclusive file lock on a small file of its own,
 * held for the life of the process: the operating system lets go of it when
 * the process dies, so a crashed server leaves nothing stale to clean up.
 */

export const SQLITE_SERVER_LOCK_FILE = 'lesmodus-server.lock';

export interface SqliteServerLock {
  release(): void;
}

export function holdSqliteServerLock(dataDir: string): SqliteServerLock {
  const path = join(dataDir, SQLITE_SERVER_LOCK_FILE);
  // No busy timeout: whoever holds it holds it for as long as it runs.
  const db = new Database(path, { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code === 'SQLITE_BUSY') {
      throw new ServerStoreError('cannot-open',
        `Another Lesmodus server is already running on the SQLite database in ${dataDir}. SQLite serves one server process ` +
        '(live grants reach only the laptops streaming from the process that made them): stop the other one, ' +
        'or run several processes on PostgreSQL (--database-url).', { cause: error });
    }
    throw new ServerStoreError('cannot-open', `Could not take the server lock ${path}: ${(error as Error).message}`, { cause: error });
  }
  return {
    release() {
      if (!db.open) return;
      db.exec('ROLLBACK');
      db.close();
    },
  };
}
