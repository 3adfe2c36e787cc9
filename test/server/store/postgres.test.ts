import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { PostgresServerStore } from '../../../src/server/store/index.ts';
import { postgresTypes } from '../../../src/server/store/postgres/postgres-driver.ts';
import { render, type Sql } from '../../../src/server/store/sql.ts';
import type { StoreTarget, TestDatabase } from './harness.ts';
import { registerStoreContract } from './store-contract.ts';

/**
 * The shared suite against a real PostgreSQL server. Locally it runs when
 * LESMODUS_TEST_DATABASE_URL is set (test/server/pg/start-test-postgres.sh
 * prints one); CI must set it, and a test below fails when it does not, so
 * PostgreSQL can never be skipped there without anyone noticing.
 *
 * Every test gets its own schema with a name unique to this run, dropped
 * afterwards, so runs on one database never see each other.
 */
const URL_VARIABLE = 'LESMODUS_TEST_DATABASE_URL';
const url = process.env[URL_VARIABLE];

describe('PostgreSQL in CI', () => {
  it(`has ${URL_VARIABLE} set when CI=true, so the PostgreSQL store is really tested`, () => {
    if (process.env.CI !== 'true') return;
    expect(url, `CI=true but ${URL_VARIABLE} is not set: .ci/run must start PostgreSQL with test/server/pg/start-test-postgres.sh and export its URL`)
      .toMatch(/^postgres(ql)?:\/\//);
  });
});

if (url === undefined) {
  console.warn(`PostgresServerStore tests skipped: set ${URL_VARIABLE} (see test/server/pg/start-test-postgres.sh) to run them.`);
  describe.skip(`PostgresServerStore (skipped: ${URL_VARIABLE} is not set)`, () => {
    it('runs the shared store suite', () => {});
  });
} else {
  const databaseUrl = url;
  const runId = `t${process.pid.toString(36)}${Date.now().toString(36)}`;
  let schemas = 0;
  const admin = new pg.Pool({ connectionString: databaseUrl, max: 2, types: postgresTypes });
  afterAll(async () => {
    // Anything a failed test left behind, then the pool.
    const left = await admin.query<{ nspname: string }>('SELECT nspname FROM pg_namespace WHERE nspname LIKE $1', [`lesmodus_${runId}_%`]);
    for (const { nspname } of left.rows) await admin.query(`DROP SCHEMA "${nspname}" CASCADE`);
    await admin.end();
  });

  const postgresDatabase = (schema: string): TestDatabase => ({
    open: () => PostgresServerStore.open({ url: databaseUrl, schema }),
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
    drop: async () => {
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    },
  });

  const postgres: StoreTarget = {
    dialect: 'postgres',
    newDatabase: async () => postgresDatabase(`lesmodus_${runId}_${++schemas}`),
  };

  describe('PostgresServerStore', () => {
    registerStoreContract(postgres);

    describe('connecting', () => {
      it('says which database it could not reach, without the password', async () => {
        const wrong = new URL(databaseUrl);
        wrong.password = 'not-the-password';
        const error = await PostgresServerStore.open({ url: wrong.toString(), schema: `lesmodus_${runId}_nope` }).catch((e: unknown) => e);
        expect(error).toMatchObject({ code: 'cannot-open' });
        expect((error as Error).message).toContain(wrong.host);
        expect((error as Error).message).not.toContain('not-the-password');
      });

      it('refuses a schema name that is not a plain identifier', async () => {
        await expect(PostgresServerStore.open({ url: databaseUrl, schema: 'x"; DROP SCHEMA public; --' })).rejects.toMatchObject({ code: 'invalid-input' });
      });
    });
  });
}
