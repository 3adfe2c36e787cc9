import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SQLITE_BUSY_TIMEOUT_MS, SqliteServerStore } from '../../../src/server/store/index.ts';
import { render, sql, type Sql } from '../../../src/server/store/sql.ts';
import { SERVER_APPLICATION_ID, SQLITE_MIGRATIONS } from '../../../src/server/store/sqlite/migrations.ts';
import { device, SCHOOL, tamperBatch } from './fixtures.ts';
import type { StoreTarget, TestDatabase } from './harness.ts';
import { registerStoreContract } from './store-contract.ts';

const dir = mkdtempSync(join(tmpdir(), 'lesmodus-server-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let databases = 0;

function peek<R>(path: string, query: Sql): R[] {
  const db = new Database(path, { readonly: true });
  try {
    const { text, values } = render(query, 'question');
    return db.prepare(text).all(...values) as R[];
  } finally {
    db.close();
  }
}

function sqliteDatabase(path: string): TestDatabase {
  return {
    open: () => SqliteServerStore.open({ path }),
    peek: async <R>(query: Sql) => peek<R>(path, query),
    drop: async () => {
      for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
    },
  };
}

const sqlite: StoreTarget = {
  dialect: 'sqlite',
  newDatabase: async () => sqliteDatabase(join(dir, `store-${++databases}.db`)),
};

describe('SqliteServerStore', () => {
  registerStoreContract(sqlite);

  describe('the SQLite file', () => {
    it('is in WAL mode, marked as a Lesmodus server store, and its connection is durable with foreign keys on', async () => {
      const path = join(dir, 'pragmas.db');
      const store = await SqliteServerStore.open({ path });
      try {
        // Through the store's own connection: these settings belong to the connection, not the file.
        const value = async (query: Sql) => Object.values((await store.driver.get<Record<string, unknown>>(query))!)[0];
        expect(await value(sql`PRAGMA journal_mode`)).toBe('wal');
        expect(await value(sql`PRAGMA synchronous`)).toBe(2); // FULL
        expect(await value(sql`PRAGMA foreign_keys`)).toBe(1);
        expect(await value(sql`PRAGMA busy_timeout`)).toBe(SQLITE_BUSY_TIMEOUT_MS);
        expect(await value(sql`PRAGMA application_id`)).toBe(SERVER_APPLICATION_ID);
      } finally {
        await store.close();
      }
    });

    it("refuses another program's SQLite database and leaves it byte for byte as it was", async () => {
      const path = join(dir, 'foreign.db');
      const db = new Database(path);
      db.exec('CREATE TABLE photos (id INTEGER PRIMARY KEY); INSERT INTO photos VALUES (1);');
      db.close();
      const before = readFileSync(path);
      await expect(SqliteServerStore.open({ path })).rejects.toMatchObject({ code: 'foreign-database' });
      expect(readFileSync(path).equals(before)).toBe(true);
    });

    it('refuses a file that is not a database, unchanged', async () => {
      const path = join(dir, 'not-a-db.db');
      writeFileSync(path, 'this is a text file, not a database '.repeat(200));
      const before = readFileSync(path);
      await expect(SqliteServerStore.open({ path })).rejects.toMatchObject({ code: 'cannot-open' });
      expect(readFileSync(path).equals(before)).toBe(true);
    });
  });

  describe('upgrading a schema 1 file', () => {
    it('migrates to retention keeping the data, after which only the prune may delete old audit entries', async () => {
      const path = join(dir, 'schema-1.db');
      const db = new Database(path);
      db.exec(SQLITE_MIGRATIONS[0]!.sql);
      db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at BIGINT NOT NULL)');
      db.prepare('INSERT INTO schema_migrations VALUES (1, ?, 1)').run(SQLITE_MIGRATIONS[0]!.description);
      const insert = db.prepare("INSERT INTO audit_log (at, username, action, subject_kind, subject_id) VALUES (?, 'de-vries', 'export-log', 'exception-log', 'all')");
      for (const at of [1, 2_000 * 86_400_000]) insert.run(at);
      db.close();

      const store = await SqliteServerStore.open({ path });
      try {
        expect(store.schemaVersion).toBe(6);
        await expect(store.driver.run(sql`DELETE FROM audit_log`)).rejects.toThrow(/append-only/);
        expect(await store.pruneExpired({ eventDays: 180, exceptionDays: 730 }, 2_000 * 86_400_000))
          .toEqual({ deviceEvents: 0, contactIntervals: 0, exceptions: 0, auditEntries: 1, sessions: 0, consents: 0, idempotencyKeys: 0 });
        expect((await store.auditLog({}, { limit: 10, offset: 0 })).rows.map((e) => e.at)).toEqual([2_000 * 86_400_000]);
      } finally {
        await store.close();
      }
    });
  });

  describe('ingest from two processes at once', () => {
    const CHILD = fileURLToPath(new URL('./ingest-child.ts', import.meta.url));

    async function ingestInChild(path: string, first: number, count: number): Promise<void> {
      const child = spawn(process.execPath, [CHILD, path, String(first), String(count)], { stdio: ['ignore', 'inherit', 'inherit'] });
      const [code] = await once(child, 'close');
      expect(code, 'the ingesting child process failed').toBe(0);
    }

    it('stores each event exactly once when two processes push overlapping batches into one file', async () => {
      const path = join(dir, 'two-processes.db');
      const store = await SqliteServerStore.open({ path });
      await store.putSchool(SCHOOL, 1);
      await store.enrollDevice(device('d1'), 1);
      await store.close();
      // Both push events 1…3000 in overlapping batches, starting at different places.
      await Promise.all([ingestInChild(path, 1, 3_000), ingestInChild(path, 1_201, 3_000)]);
      const ids = peek<{ event_id: string }>(path, sql`SELECT event_id FROM device_events ORDER BY event_id`).map((r) => r.event_id);
      expect(ids).toEqual(tamperBatch(1, 3_000).map((e) => e.id));
    });
  });
});

