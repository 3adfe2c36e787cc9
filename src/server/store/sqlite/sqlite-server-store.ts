import Database from 'better-sqlite3';
import { realpathSync } from 'node:fs';
import { ServerStoreError } from '../errors.ts';
import { migrate } from '../migrate.ts';
import { DEFAULT_CONTACT_GAP_MS, SqlServerStore, type StoreTuning } from '../sql-server-store.ts';
import { lockForFile } from './async-lock.ts';
import { SERVER_APPLICATION_ID, SQLITE_MIGRATIONS } from './migrations.ts';
import { SqliteDriver } from './sqlite-driver.ts';

/**
 * How long a statement waits for another process's write lock (a backup
 * tool, the admin CLI) before failing with SQLITE_BUSY. A batch of 500
 * events commits in milliseconds; five seconds means something is stuck.
 */
export const SQLITE_BUSY_TIMEOUT_MS = 5_000;

/**
 * synchronous=FULL, not NORMAL, on the server too: the server tells a device
 * "stored" and the device may then prune the event; with NORMAL a power cut
 * can roll back the last commits (WAL keeps the file consistent, but not
 * durable), and those events would be gone from both sides. The cost is one
 * fsync per commit, and commits are whole batches of up to 500 events, so it
 * is small per event (the benchmark measures it).
 */
export type SqliteSynchronous = 'FULL' | 'NORMAL';

export interface SqliteStoreOptions extends Partial<StoreTuning> {
  /** The database file; created when missing (its folder must exist). */
  readonly path: string;
  /** Default FULL; NORMAL only for the benchmark's comparison. */
  readonly synchronous?: SqliteSynchronous;
  /** The clock for the migration record. Default Date.now. */
  readonly now?: () => number;
}

const LEFT_UNCHANGED = 'Lesmodus did not change the file.';

/** Refuses, before anything writes, a file that is not an empty database or a Lesmodus server store. */
function inspect(db: Database.Database, path: string): void {
  let applicationId: number;
  let objects: number;
  try {
    applicationId = db.pragma('application_id', { simple: true }) as number;
    objects = db.prepare('SELECT count(*) FROM sqlite_schema').pluck().get() as number;
  } catch (error) {
    throw new ServerStoreError('cannot-open', `Could not read the server store ${path}: ${(error as Error).message}. ${LEFT_UNCHANGED}`, { cause: error });
  }
  if (objects > 0 && applicationId !== SERVER_APPLICATION_ID) {
    throw new ServerStoreError('foreign-database',
      `${path} is a SQLite database of another program, not a Lesmodus server store. ${LEFT_UNCHANGED} Use another --data-dir.`);
  }
}

/** The default store: one SQLite file in WAL mode, embedded in the server process. */
export class SqliteServerStore extends SqlServerStore {
  static async open(options: SqliteStoreOptions): Promise<SqliteServerStore> {
    const { path } = options;
    let db: Database.Database;
    try {
      db = new Database(path, { timeout: SQLITE_BUSY_TIMEOUT_MS });
    } catch (error) {
      throw new ServerStoreError('cannot-open', `Could not open or create the server store ${path}: ${(error as Error).message}`, { cause: error });
    }
    const driver = new SqliteDriver(db, path, lockForFile(path === ':memory:' ? `:memory:${Math.random()}` : realpathSync(path)));
    try {
      inspect(db, path);
      // WAL: the dashboard's reads never wait for an ingest, and an ingest never waits for a long export.
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
      db.pragma('foreign_keys = ON');
      const version = await migrate(driver, SQLITE_MIGRATIONS, (options.now ?? Date.now)());
      return new SqliteServerStore(driver, version, { contactGapMs: options.contactGapMs ?? DEFAULT_CONTACT_GAP_MS });
    } catch (error) {
      await driver.close();
      if (error instanceof ServerStoreError) throw error;
      throw new ServerStoreError('cannot-open', `Could not prepare the server store ${path}: ${(error as Error).message}`, { cause: error });
    }
  }
}
