import { describe, expect, it } from 'vitest';
import { PostgresServerStore } from '../../../src/server/store/index.ts';
import { postgresSchemas } from '../../helpers/postgres-schema-pool.ts';
import { registerStoreContract } from './store-contract.ts';

/**
 * The shared suite against a real PostgreSQL server. Locally it runs when
 * LESMODUS_TEST_DATABASE_URL is set (test/server/pg/start-test-postgres.sh
 * prints one); CI must set it, and a test below fails when it does not, so
 * PostgreSQL can never be skipped there without anyone noticing.
 *
 * Every test gets an empty, migrated schema of its own, named for this run
 * (test/helpers/postgres-schema-pool.ts), so runs on one database never see
 * each other.
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
  const postgres = postgresSchemas(databaseUrl, 't');

  describe('PostgresServerStore', () => {
    registerStoreContract(postgres);

    describe('connecting', () => {
      it('says which database it could not reach, without the password', async () => {
        const wrong = new URL(databaseUrl);
        wrong.password = 'not-the-password';
        const error = await PostgresServerStore.open({ url: wrong.toString(), schema: 'lesmodus_never_reached' }).catch((e: unknown) => e);
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
