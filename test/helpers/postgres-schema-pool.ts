import pg from 'pg';
import { afterAll } from 'vitest';
import { PostgresServerStore } from '../../src/server/store/index.ts';
import { postgresTypes } from '../../src/server/store/postgres/postgres-driver.ts';
import { render, type Sql } from '../../src/server/store/sql.ts';
import type { StoreTarget, TestDatabase } from '../server/store/harness.ts';

/**
 * PostgreSQL schemas for the store's and the API's suites: each test gets an
 * empty, fully migrated schema of its own, as if new. Migrating a schema
 * costs about 200 ms of DDL (two hundred tests over); emptying a used one
 * costs a few milliseconds. So a schema a test is done with is emptied and
 * handed to the next test, but only when its structure is still exactly that
 * of a freshly migrated schema (a test may add a migration from the future,
 * or break a table on purpose): anything else is dropped, and the next test
 * gets a new schema. Every schema is named for this run and dropped at the end.
 */
export function postgresSchemas(url: string, prefix: string): StoreTarget {
  const runId = `${prefix}${process.pid.toString(36)}${Date.now().toString(36)}`;
  const admin = new pg.Pool({ connectionString: url, max: 2, types: postgresTypes });
  const idle: string[] = [];
  let created = 0;
  let pristine: Promise<string> | undefined;

  afterAll(async () => {
    const left = await admin.query<{ nspname: string }>('SELECT nspname FROM pg_namespace WHERE nspname LIKE $1', [`lesmodus_${runId}_%`]);
    for (const { nspname } of left.rows) await admin.query(`DROP SCHEMA "${nspname}" CASCADE`);
    await admin.end();
  });

  const drop = (schema: string) => admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);

  /** What a freshly migrated schema looks like, from one the pool migrates itself (and then lends out). */
  const pristineShape = (): Promise<string> => (pristine ??= (async () => {
    const schema = `lesmodus_${runId}_${++created}`;
    await (await PostgresServerStore.open({ url, schema })).close();
    const shape = await shapeOf(admin, schema);
    idle.push(schema);
    return shape;
  })());

  /** Empties a schema whose shape is pristine and keeps it for the next test; drops any other. */
  const giveBack = async (schema: string): Promise<void> => {
    try {
      if (await shapeOf(admin, schema) === await pristineShape() && await empty(admin, schema)) {
        idle.push(schema);
        return;
      }
    } catch {
      // A schema that cannot be emptied is not lent again.
    }
    await drop(schema);
  };

  const database = (schema: string): TestDatabase => ({
    open: () => PostgresServerStore.open({ url, schema }),
    peek: async <R>(query: Sql) => {
      const client = await admin.connect();
      try {
        await client.query(`SET search_path = "${schema}"`);
        const { text, values } = render(query, 'dollar');
        return (await client.query(text, values)).rows as R[];
      } finally {
        await client.query('RESET search_path');
        client.release();
      }
    },
    drop: () => giveBack(schema),
  });

  return {
    dialect: 'postgres',
    newDatabase: async () => {
      await pristineShape();
      return database(idle.pop() ?? `lesmodus_${runId}_${++created}`);
    },
  };
}

/**
 * The schema's structure as one string: tables, columns, indexes,
 * constraints, triggers (and whether they are enabled), functions, and the
 * migrations it records, so any change a test made to any of them shows.
 */
async function shapeOf(admin: pg.Pool, schema: string): Promise<string> {
  const { rows } = await admin.query<{ part: string }>(`
    SELECT 'rel ' || c.relname || ' ' || c.relkind::text AS part FROM pg_class c WHERE c.relnamespace = $1::regnamespace
    UNION ALL SELECT 'col ' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || ' ' || a.attnotnull::text
      || ' ' || coalesce(pg_get_expr(d.adbin, d.adrelid), '')
      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
      LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE c.relnamespace = $1::regnamespace AND a.attnum > 0 AND NOT a.attisdropped
    UNION ALL SELECT 'idx ' || pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid WHERE c.relnamespace = $1::regnamespace
    UNION ALL SELECT 'con ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = $1::regnamespace
    UNION ALL SELECT 'trg ' || t.tgname || ' ' || t.tgenabled::text || ' ' || pg_get_triggerdef(t.oid)
      FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE c.relnamespace = $1::regnamespace AND NOT t.tgisinternal
    UNION ALL SELECT 'fn ' || p.proname || ' ' || md5(p.prosrc) FROM pg_proc p WHERE p.pronamespace = $1::regnamespace
    ORDER BY 1`, [schema]);
  const { rows: versions } = await admin.query<{ version: number }>(`SELECT version FROM "${schema}".schema_migrations ORDER BY version`);
  // Definitions name the schema where it is not on the search path: the same shape in another schema must compare equal.
  return [...rows.map((r) => r.part.replaceAll(`${schema}.`, '')), `migrations ${versions.map((v) => v.version).join(',')}`].join('\n');
}

/**
 * Deletes every row but the migration record, in one transaction, and starts
 * the sequences again. The append-only tables' triggers refuse deletes (that
 * is what they are for), so they are switched off for this transaction only.
 * Children before parents: a table's foreign keys point at tables made before it.
 */
async function empty(admin: pg.Pool, schema: string): Promise<boolean> {
  const client = await admin.connect();
  try {
    await client.query('BEGIN');
    const { rows: tables } = await client.query<{ name: string; guarded: boolean }>(`
      SELECT c.relname AS name, EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND NOT t.tgisinternal) AS guarded
      FROM pg_class c WHERE c.relnamespace = $1::regnamespace AND c.relkind = 'r' AND c.relname <> 'schema_migrations'
      ORDER BY c.oid DESC`, [schema]);
    for (const { name, guarded } of tables) {
      const table = `"${schema}"."${name}"`;
      if (guarded) await client.query(`ALTER TABLE ${table} DISABLE TRIGGER USER`);
      await client.query(`DELETE FROM ${table}`);
      if (guarded) await client.query(`ALTER TABLE ${table} ENABLE TRIGGER USER`);
    }
    const { rows: sequences } = await client.query<{ name: string; start: string }>(
      'SELECT sequencename AS name, start_value::text AS start FROM pg_sequences WHERE schemaname = $1', [schema]);
    for (const { name, start } of sequences) await client.query('SELECT setval($1::regclass, $2::bigint, false)', [`"${schema}"."${name}"`, start]);
    await client.query('COMMIT');
    return true;
  } catch {
    await client.query('ROLLBACK').catch(() => {});
    return false;
  } finally {
    client.release();
  }
}
