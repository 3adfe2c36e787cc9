import Database from 'better-sqlite3';
import { chmodSync, existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { ServerStoreError } from '../store/errors.ts';
import { SQLITE_FILE_NAME } from '../store/index.ts';
import { SERVER_APPLICATION_ID, SQLITE_MIGRATIONS } from '../store/sqlite/migrations.ts';
import { holdSqliteServerLock } from './sqlite-server-lock.ts';

/**
 * Backing up and restoring the SQLite store. The backup is SQLite's online
 * backup: a consistent copy taken page by page while the server keeps
 * running and writing (WAL), never a half-written file as a plain cp could
 * make. A restore needs the server stopped, and moves the current database
 * aside instead of deleting it.
 */

function checkedStore(path: string, what: string): Database.Database {
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new ServerStoreError('cannot-open', `Could not open ${what} ${path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    const id = db.pragma('application_id', { simple: true }) as number;
    if (id !== SERVER_APPLICATION_ID) throw new ServerStoreError('foreign-database', `${path} is not a Lesmodus server database; nothing was changed.`);
    const version = db.prepare('SELECT max(version) FROM schema_migrations').pluck().get() as number | null;
    if ((version ?? 0) > SQLITE_MIGRATIONS.length) {
      throw new ServerStoreError('newer-schema', `${path} was made by a newer Lesmodus (schema ${version}; this version knows up to ${SQLITE_MIGRATIONS.length}). Upgrade the server first; nothing was changed.`);
    }
    return db;
  } catch (error) {
    db.close();
    if (error instanceof ServerStoreError) throw error;
    throw new ServerStoreError('cannot-open', `Could not read ${what} ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/** Copies the data folder's database to `target` (a new file, owner-only) while the server may be running. */
export async function backupSqliteStore(dataDir: string, target: string): Promise<{ pages: number }> {
  if (existsSync(target)) throw new ServerStoreError('conflict', `${target} exists already; name a new file (a backup never overwrites).`);
  const db = checkedStore(join(dataDir, SQLITE_FILE_NAME), 'the server database');
  try {
    const { totalPages } = await db.backup(target);
    chmodSync(target, 0o600);
    return { pages: totalPages };
  } finally {
    db.close();
  }
}

/**
 * Puts a backup in place of the data folder's database. Refuses while a
 * server runs on it (the server lock) and refuses a file that is not a
 * Lesmodus server database. The current database (with its WAL) is kept
 * beside it as lesmodus-server.db.before-restore-<time>.
 */
export async function restoreSqliteStore(dataDir: string, source: string, now: number): Promise<{ keptAs: string | null }> {
  const lock = holdSqliteServerLock(dataDir);
  try {
    const backup = checkedStore(source, 'the backup');
    try {
      const live = join(dataDir, SQLITE_FILE_NAME);
      let keptAs: string | null = null;
      if (existsSync(live)) {
        keptAs = `${live}.before-restore-${new Date(now).toISOString().replace(/[:.]/g, '-')}`;
        for (const suffix of ['', '-wal', '-shm']) if (existsSync(live + suffix)) renameSync(live + suffix, keptAs + suffix);
      }
      await backup.backup(live);
      chmodSync(live, 0o600);
      return { keptAs };
    } finally {
      backup.close();
    }
  } finally {
    lock.release();
  }
}
