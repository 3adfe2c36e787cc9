import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { SCHEMA_LOCK } from '../../../src/server/store/migrate.ts';
import { POSTGRES_MIGRATIONS } from '../../../src/server/store/postgres/migrations.ts';
import { dropSchema, freshSchemaUrl } from '../../helpers/postgres-schema.ts';
import { useCli } from '../api/cli-harness.ts';

/**
 * A foundation's deployment starts its server processes together (systemd
 * starts every instance at boot, an upgrade restarts them at once): the
 * schema must be migrated once, by whichever process takes PostgreSQL's
 * advisory lock first, and the other must find it done and start as well.
 */

const url = process.env.LESMODUS_TEST_DATABASE_URL;
const cli = useCli('migrate-two');

describe.skipIf(url === undefined)('two server processes starting together on one PostgreSQL', () => {
  const schema = `lesmodus_migrate_two_${process.pid}_${Date.now().toString(36)}`;
  afterAll(async () => dropSchema(url!, schema));

  it('both wait for the schema lock, then come up; the schema is at the latest version and each migration is recorded once', async () => {
    const data = join(cli.tmp, 'data');
    const init = await cli.run(['server', 'init', '--data-dir', data]);
    expect(init.code, init.stderr).toBe(0);
    // Named connections, so the test counts only these two servers among whatever else uses the database.
    const name = `lesmodus-migrate-two-${process.pid}`;
    const databaseUrl = new URL(await freshSchemaUrl(url!, schema));
    databaseUrl.searchParams.set('application_name', name);

    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    // The test holds the schema lock while both start, so both reach it before either migrates: a real race, not one process after the other.
    await admin.query('SELECT pg_advisory_lock(hashtext($1))', [SCHEMA_LOCK]);
    const args = ['server', '--data-dir', data, '--database-url', databaseUrl.toString(), '--host', '127.0.0.1', '--port', '0'];
    const starting = Promise.all([cli.start(args), cli.start(args)]);
    try {
      await vi.waitFor(async () => {
        const waiting = await admin.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND NOT l.granted AND a.application_name = $1`, [name]);
        expect(waiting.rows[0]!.n).toBe(2);
      }, { timeout: 30_000, interval: 100 });
    } finally {
      await admin.query('SELECT pg_advisory_unlock(hashtext($1))', [SCHEMA_LOCK]);
    }
    const [first, second] = await starting;
    expect(first.url).not.toBe(second.url);
    for (const server of [first, second]) {
      const health = await fetch(`${server.url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok', database: 'postgres' });
    }

    try {
      const applied = await admin.query<{ version: number; times: string }>(
        `SELECT version, count(*) AS times FROM "${schema}".schema_migrations GROUP BY version ORDER BY version`);
      expect(applied.rows.map((r) => [r.version, Number(r.times)])).toEqual(POSTGRES_MIGRATIONS.map((m) => [m.version, 1]));
    } finally {
      await admin.end();
    }
    first.child.kill('SIGTERM');
    second.child.kill('SIGTERM');
  });
});
