import { describe, it } from 'vitest';
import { registerApiSuite } from './api-suite.ts';
import { DATABASE_URL_VARIABLE, postgresTarget } from './targets.ts';

/** The same API suite on PostgreSQL when LESMODUS_TEST_DATABASE_URL is set (CI sets it; see test/server/pg/start-test-postgres.sh). */
const url = process.env[DATABASE_URL_VARIABLE];

if (url === undefined) {
  describe.skip(`the API on PostgreSQL (skipped: ${DATABASE_URL_VARIABLE} is not set)`, () => {
    it('runs the API suite', () => {});
  });
} else {
  describe('the API on PostgreSQL', () => {
    registerApiSuite(postgresTarget(url));
  });
}
