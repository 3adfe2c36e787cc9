import Database from 'better-sqlite3';
import { DeviceStoreError, sqliteCodeOf } from './errors.ts';
import { LATEST_SCHEMA_VERSION, LESMODUS_APPLICATION_ID, runMigrations, schemaVersionOf } from './migrations.ts';

/**
 * How long a statement waits for another connection's lock before failing
 * with SQLITE_BUSY. Another process (a support tool, a second agent instance
 * during an update) may hold the write lock briefly, and a WAL checkpoint on a
 * slow school-laptop disk can take a second or two. Five seconds covers that;
 * a lock held longer is a stuck process, and reporting it beats freezing
 * enforcement.
 */
export const BUSY_TIMEOUT_MS = 5_000;

/**
 * `synchronous` for the connection. FULL: in WAL mode SQLite syncs the WAL at
 * every commit, so an event the store said it wrote survives a power cut or
 * an OS crash (students close the lid, batteries die). NORMAL only syncs at
 * checkpoints: the file stays consistent, but the last commits can vanish.
 * NORMAL exists here only so the benchmark can measure what FULL costs.
 */
export type SyncMode = 'FULL' | 'NORMAL';

export interface DatabaseTuning {
  readonly synchronous: SyncMode;
  /** Run `PRAGMA quick_check` when opening an existing store (reads the whole file once). */
  readonly checkOnOpen: boolean;
}

export const DEFAULT_TUNING: DatabaseTuning = { synchronous: 'FULL', checkOnOpen: true };

const LEFT_UNCHANGED = 'Lesmodus did not change the file.';

function corrupt(path: string, what: string, cause?: unknown): DeviceStoreError {
  return new DeviceStoreError('corrupt', path,
    `The device store ${path} ${what}. ${LEFT_UNCHANGED} Move it aside (keep it for the school's IT department) ` +
    'and restart the agent to begin a new store; events in it that were not yet synced can only be recovered from the kept copy.',
    { cause });
}

/**
 * Reads what the file is before anything writes to it: a file that is not a
 * (healthy) Lesmodus store of a version this code knows must be left exactly
 * as it is. Reading the header does not write, and SQLite only reports a bad
 * header (SQLITE_NOTADB) or a damaged page (SQLITE_CORRUPT) once it reads.
 */
function inspect(db: Database.Database, path: string, tuning: DatabaseTuning): void {
  let version: number;
  let applicationId: number;
  let objects: number;
  try {
    version = schemaVersionOf(db);
    applicationId = db.pragma('application_id', { simple: true }) as number;
    objects = db.prepare('SELECT count(*) FROM sqlite_schema').pluck().get() as number;
  } catch (error) {
    const code = sqliteCodeOf(error);
    if (code === 'SQLITE_NOTADB') throw corrupt(path, 'is not a SQLite database', error);
    if (code === 'SQLITE_CORRUPT') throw corrupt(path, 'is damaged (SQLite reports it as corrupt)', error);
    throw new DeviceStoreError('cannot-open', path, `Could not read the device store ${path}: ${(error as Error).message}. ${LEFT_UNCHANGED}`, { cause: error });
  }

  if (version > LATEST_SCHEMA_VERSION) {
    throw new DeviceStoreError('newer-schema', path,
      `The device store ${path} was created by a newer Lesmodus (schema ${version}; this version knows up to ${LATEST_SCHEMA_VERSION}) ` +
      `— upgrade the agent. ${LEFT_UNCHANGED}`);
  }
  const empty = version === 0 && objects === 0;
  if (applicationId !== LESMODUS_APPLICATION_ID && !empty) {
    throw new DeviceStoreError('foreign-database', path,
      `${path} is a SQLite database of another program, not a Lesmodus device store. ${LEFT_UNCHANGED} Point the agent at its own store file.`);
  }

  if (tuning.checkOnOpen && !empty) {
    let result: string;
    try {
      // quick_check, not integrity_check: it skips matching index entries to
      // rows, which makes it several times faster, and still finds damaged
      // pages and malformed records. (1): stop at the first problem.
      result = db.pragma('quick_check(1)', { simple: true }) as string;
    } catch (error) {
      throw corrupt(path, 'is damaged (SQLite could not check it)', error);
    }
    if (result !== 'ok') throw corrupt(path, `is damaged (SQLite's quick_check: ${result.replace(/\s*\n\s*/g, ' ')})`);
  }
}

/** Opens (creating if needed), checks and migrates the store file. Throws DeviceStoreError. */
export function openDatabase(path: string, tuning: DatabaseTuning): Database.Database {
  let db: Database.Database;
  try {
    db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
  } catch (error) {
    throw new DeviceStoreError('cannot-open', path, `Could not open or create the device store ${path}: ${(error as Error).message}`, { cause: error });
  }

  try {
    inspect(db, path, tuning);
    // From here on the file is ours and may be written.
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${tuning.synchronous}`);
    db.pragma('foreign_keys = ON');
    runMigrations(db);
    return db;
  } catch (error) {
    db.close();
    if (error instanceof DeviceStoreError) throw error;
    throw new DeviceStoreError('cannot-open', path, `Could not prepare the device store ${path}: ${(error as Error).message}`, { cause: error });
  }
}
