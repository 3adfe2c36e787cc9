import Database from 'better-sqlite3';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUSY_TIMEOUT_MS, DeviceStoreError, LATEST_SCHEMA_VERSION, openDeviceStore } from '../../../src/agent/store/index.ts';
import { DEFAULT_TUNING, openDatabase } from '../../../src/agent/store/open-database.ts';
import { LESMODUS_APPLICATION_ID, MIGRATIONS, runMigrations, type Migration } from '../../../src/agent/store/migrations.ts';
import { createTestStore, tamper, useTempDir } from './helpers.ts';

const temp = useTempDir();

function openError(path: string): DeviceStoreError {
  try {
    openDeviceStore({ path }).close();
  } catch (error) {
    expect(error).toBeInstanceOf(DeviceStoreError);
    return error as DeviceStoreError;
  }
  throw new Error(`expected opening ${path} to fail`);
}

/** The file and everything beside it, byte for byte. */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).sort().map((name) => [name, readFileSync(join(dir, name)).toString('base64')]));
}

describe('opening a new store', () => {
  it('creates every table, view and trigger of the latest schema', () => {
    const { store, path } = createTestStore(temp);
    expect(store.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
    store.close();
    const db = new Database(path, { readonly: true });
    const objects = db.prepare("SELECT type, name FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name").all();
    expect(objects).toEqual(expect.arrayContaining([
      { type: 'table', name: 'events' },
      { type: 'table', name: 'pending_blocks' },
      { type: 'table', name: 'lessons' },
      { type: 'table', name: 'schedule_meta' },
      { type: 'table', name: 'grants' },
      { type: 'view', name: 'outbox' },
      { type: 'trigger', name: 'events_insert_is_new' },
      { type: 'trigger', name: 'events_update_only_sync_marker' },
      { type: 'trigger', name: 'events_keep_unsynced' },
    ]));
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);
    expect(db.pragma('application_id', { simple: true })).toBe(LESMODUS_APPLICATION_ID);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('runs its connection with synchronous=FULL, foreign keys on and a busy timeout', () => {
    // These settings belong to the connection, not the file, so look at the store's own connection.
    const db = openDatabase(join(temp.dir(), 'pragmas.db'), DEFAULT_TUNING);
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // 2 = FULL
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(BUSY_TIMEOUT_MS);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('can be opened again with its data intact', () => {
    const { store, reopen } = createTestStore(temp);
    const first = store.appendEvent(tamper('first'));
    store.close();
    const again = reopen();
    expect(again.outboxBatch(10)).toEqual([first]);
    expect(again.appendEvent(tamper('second')).seq).toBe(first.seq + 1);
  });

  it('says when the folder does not exist', () => {
    const error = openError(join(temp.dir(), 'missing-folder', 'device.db'));
    expect(error.code).toBe('cannot-open');
    expect(error.message).toMatch(/Could not open or create the device store .*missing-folder/);
  });
});

describe('refusing a file it must not touch', () => {
  it('refuses a store made by a newer Lesmodus, says to upgrade, and leaves the file byte for byte as it was', () => {
    const path = join(temp.dir(), 'device.db');
    const db = new Database(path);
    db.exec('CREATE TABLE future (x)');
    db.pragma(`application_id = ${LESMODUS_APPLICATION_ID}`);
    db.pragma('user_version = 99');
    db.close();
    const before = snapshot(temp.dir());

    const error = openError(path);
    expect(error.code).toBe('newer-schema');
    expect(error.path).toBe(path);
    expect(error.message).toBe(
      `The device store ${path} was created by a newer Lesmodus (schema 99; this version knows up to ${LATEST_SCHEMA_VERSION}) ` +
      '— upgrade the agent. Lesmodus did not change the file.');
    expect(snapshot(temp.dir())).toEqual(before);
  });

  it('leaves a newer store in WAL mode unchanged too', () => {
    const path = join(temp.dir(), 'device.db');
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE future (x); INSERT INTO future VALUES (1)');
    db.pragma('user_version = 7');
    db.close();
    const before = snapshot(temp.dir());
    expect(openError(path).message).toMatch(new RegExp(`schema 7; this version knows up to ${LATEST_SCHEMA_VERSION}\\b`));
    expect(snapshot(temp.dir())).toEqual(before);
  });

  it('refuses a file of garbage bytes as not a database, naming the path and what to do, and leaves it unchanged', () => {
    const path = join(temp.dir(), 'device.db');
    const garbage = Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 7919 + 13) % 251));
    writeFileSync(path, garbage);
    const error = openError(path);
    expect(error.code).toBe('corrupt');
    expect(error.message).toContain(`The device store ${path} is not a SQLite database. Lesmodus did not change the file.`);
    expect(error.message).toMatch(/Move it aside .* restart the agent/);
    expect(readFileSync(path)).toEqual(garbage);
    expect(readdirSync(temp.dir())).toEqual(['device.db']);
  });

  it('refuses a store that was cut short (damaged pages) and leaves it unchanged', () => {
    const { store, path } = createTestStore(temp);
    for (let i = 0; i < 300; i++) store.appendEvent(tamper(`event ${i}`));
    store.close();
    const whole = readFileSync(path);
    const truncated = whole.subarray(0, Math.floor(whole.length / 2 / 4096) * 4096);
    writeFileSync(path, truncated);
    const error = openError(path);
    expect(error.code).toBe('corrupt');
    expect(error.message).toMatch(/is damaged/);
    expect(readFileSync(path)).toEqual(truncated);
  });

  it('refuses a store with a damaged page inside, found by quick_check, and leaves it unchanged', () => {
    const { store, path } = createTestStore(temp);
    for (let i = 0; i < 300; i++) store.appendEvent(tamper(`event ${i}`));
    store.close();
    const bytes = readFileSync(path);
    const pageSize = bytes.readUInt16BE(16);
    // Scribble over the b-tree header of page 2, the event table's root (page 1
    // and the pages after the tables hold the schema, which must stay readable).
    const rootPage = 2;
    bytes.fill(0xff, (rootPage - 1) * pageSize, (rootPage - 1) * pageSize + 16);
    writeFileSync(path, bytes);
    const error = openError(path);
    expect(error.code).toBe('corrupt');
    expect(error.message).toMatch(/is damaged \(SQLite's quick_check: .+\)/);
    expect(readFileSync(path)).toEqual(bytes);
  });

  it("refuses another program's SQLite database", () => {
    const path = join(temp.dir(), 'other.db');
    const db = new Database(path);
    db.exec('CREATE TABLE contacts (name TEXT)');
    db.close();
    const before = snapshot(temp.dir());
    const error = openError(path);
    expect(error.code).toBe('foreign-database');
    expect(error.message).toMatch(/another program, not a Lesmodus device store/);
    expect(snapshot(temp.dir())).toEqual(before);
  });
});

describe('migrations', () => {
  it('are numbered 1, 2, 3, … in order, so user_version is the count applied', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(LATEST_SCHEMA_VERSION).toBe(MIGRATIONS.length);
  });

  it('bring a version 1 store up to date keeping its timetable (the consents column is added, empty)', () => {
    const path = join(temp.dir(), 'v1.db');
    const db = new Database(path);
    runMigrations(db, MIGRATIONS.slice(0, 1));
    db.prepare("INSERT INTO schedule_meta (singleton, source, fetched_at, valid_until) VALUES (1, 'zermelo', 1, 2)").run();
    db.close();
    const store = openDeviceStore({ path });
    try {
      expect(store.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
      expect(store.scheduleMeta()).toMatchObject({ source: 'zermelo', fetchedAt: 1, validUntil: 2, consents: null });
    } finally {
      store.close();
    }
  });

  it('bring a version 2 store up to date knowing which exceptions its event log shows applied and not yet ended', () => {
    const path = join(temp.dir(), 'v2.db');
    const db = new Database(path);
    runMigrations(db, MIGRATIONS.slice(0, 2));
    const insert = db.prepare("INSERT INTO events (id, type, occurred_at, policy_version, payload, recorded_at) VALUES (?, ?, 1, 'p', ?, 1)");
    const payload = (grantId: string, until?: number) => JSON.stringify({ grantId, articles: ['III.A.1'], allowed: { categories: ['social'], services: [], capture: [] }, lesson: null, ...(until ? { until } : {}) });
    insert.run('00000000-0000-4000-8000-000000000001', 'exception.applied', payload('g-open', 500));
    insert.run('00000000-0000-4000-8000-000000000002', 'exception.applied', payload('g-ended', 400));
    insert.run('00000000-0000-4000-8000-000000000003', 'exception.revoked', payload('g-ended'));
    db.close();
    const store = openDeviceStore({ path });
    try {
      expect(store.openExceptions().map((e) => [e.grantId, e.until])).toEqual([['g-open', 500]]);
    } finally {
      store.close();
    }
  });

  it('apply only what the file lacks, each in its own transaction', () => {
    const db = new Database(join(temp.dir(), 'm.db'));
    const steps: Migration[] = [
      { version: 1, description: 'one', sql: 'CREATE TABLE a (x)' },
      { version: 2, description: 'two', sql: 'CREATE TABLE b (x)' },
    ];
    expect(runMigrations(db, steps.slice(0, 1))).toBe(1);
    expect(runMigrations(db, steps)).toBe(2);
    expect(runMigrations(db, steps)).toBe(2);
    db.close();
  });

  it('leave the file at the last good version when one fails halfway', () => {
    const db = new Database(join(temp.dir(), 'm.db'));
    const steps: Migration[] = [
      { version: 1, description: 'one', sql: 'CREATE TABLE a (x)' },
      { version: 2, description: 'broken', sql: 'CREATE TABLE b (x); INSERT INTO no_such_table VALUES (1)' },
    ];
    expect(() => runMigrations(db, steps)).toThrow(/no such table/);
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    expect(db.prepare("SELECT name FROM sqlite_schema WHERE name = 'b'").get()).toBeUndefined();
    db.close();
  });
});

describe('closing', () => {
  it('is idempotent, and a closed store says it is closed', () => {
    const { store, path } = createTestStore(temp);
    store.close();
    store.close();
    expect(() => store.outboxSize()).toThrow(DeviceStoreError);
    expect(() => store.appendEvent(tamper())).toThrow(`appendEvent: the device store ${path} is closed.`);
    expect(existsSync(`${path}-wal`)).toBe(false);
  });
});
