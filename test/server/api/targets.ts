import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { SqliteServerStore } from '../../../src/server/store/index.ts';
import { postgresSchemas } from '../../helpers/postgres-schema-pool.ts';
import type { StoreTarget } from '../store/harness.ts';

/**
 * The stores the API suite runs against, made as the store's own contract
 * tests make them: a fresh SQLite file per test, or an empty, migrated
 * PostgreSQL schema per test (test/helpers/postgres-schema-pool.ts).
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
  return postgresSchemas(url, 'a');
}
