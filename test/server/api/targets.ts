import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll } from 'vitest';
import { PostgresServerStore, SqliteServerStore } from '../../../src/server/store/index.ts';
import type { StoreTarget } from '../store/harness.ts';

/**
 * The stores the API suite runs against, made as the store's own contract
 * tests make them: a fresh SQLite file, or a fresh PostgreSQL schema named
 * for this run, per test, dropped afterwards.
 */

export function sqliteTarget(): StoreTarget {
  const dir = mkdtempSync(join(tmpdir(), 'lesmodus-api-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let count = 0;
  return {
    dialect: 'sqlite',
    newDatabase: async () => {
      const path = join(dir, `api-${++count}.db`);
      return {
        open: () => SqliteServerStore.open({ path }),
        peek: async () => { throw new Error('not used by the API suite'); },
        drop: async () => {
          for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
        },
      };
    },
  };
}

export const DATABASE_URL_VARIABLE = 'LESMODUS_TEST_DATABASE_URL';

export function postgresTarget(url: string): StoreTarget {
  const runId = `a${process.pid.toString(36)}${Date.now().toString(36)}`;
  const admin = new pg.Pool({ connectionString: url, max: 2 });
  afterAll(async () => {
    const left = await admin.query<{ nspname: string }>('SELECT nspname FROM pg_namespace WHERE nspname LIKE $1', [`lesmodus_${runId}_%`]);
    for (const { nspname } of left.rows) await admin.query(`DROP SCHEMA "${nspname}" CASCADE`);
    await admin.end();
  });
  let count = 0;
  return {
    dialect: 'postgres',
    newDatabase: async () => {
      const schema = `lesmodus_${runId}_${++count}`;
      return {
        open: () => PostgresServerStore.open({ url, schema }),
        peek: async () => { throw new Error('not used by the API suite'); },
        drop: async () => {
          await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        },
      };
    },
  };
}
