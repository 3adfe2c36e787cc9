import type { SqlDriver, SqlExecutor } from './driver.ts';
import { ServerStoreError } from './errors.ts';
import { sql } from './sql.ts';

/**
 * A schema change, per dialect. Migration N takes a database from version
 * N-1 to N; the `schema_migrations` table records each one applied. Never edit
 * a migration that has shipped: add the next one, to both dialects.
 */
export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

/** Both dialects accept this as it is. */
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE schema_migrations (
  version     INTEGER PRIMARY KEY,
  description TEXT    NOT NULL,
  applied_at  BIGINT  NOT NULL
)`;

/** Taken (PostgreSQL) around reading and changing the schema, so two servers starting at once migrate once. */
export const SCHEMA_LOCK = 'lesmodus-schema';

async function versionOf(driver: SqlDriver, tx: SqlExecutor): Promise<number> {
  if (!(await driver.tableExists(tx, 'schema_migrations'))) return 0;
  const row = await tx.get<{ version: number | null }>(sql`SELECT max(version) AS version FROM schema_migrations`);
  return row?.version ?? 0;
}

function newerSchema(driver: SqlDriver, found: number, known: number): ServerStoreError {
  return new ServerStoreError('newer-schema',
    `The database ${driver.location} was migrated by a newer Lesmodus (schema ${found}; this version knows up to ${known}). ` +
    'Upgrade the server; Lesmodus did not change the database.');
}

/**
 * Brings the database to the latest schema, each migration in its own
 * transaction together with its record, so a failed one leaves the previous
 * version whole. Reads the version before changing anything: a database
 * from a newer Lesmodus is refused untouched. Returns the version reached.
 */
export async function migrate(driver: SqlDriver, migrations: readonly Migration[], at: number): Promise<number> {
  const latest = migrations.length;
  const found = await driver.transaction(async (tx) => {
    await tx.lock(SCHEMA_LOCK);
    return versionOf(driver, tx);
  });
  if (found > latest) throw newerSchema(driver, found, latest);

  for (const migration of migrations) {
    if (migration.version <= found) continue;
    await driver.transaction(async (tx) => {
      await tx.lock(SCHEMA_LOCK);
      // Again inside the lock: another server may have migrated meanwhile.
      const current = await versionOf(driver, tx);
      if (current > latest) throw newerSchema(driver, current, latest);
      if (current >= migration.version) return;
      if (!(await driver.tableExists(tx, 'schema_migrations'))) await driver.exec(tx, CREATE_MIGRATIONS_TABLE);
      await driver.exec(tx, migration.sql);
      await tx.run(sql`INSERT INTO schema_migrations (version, description, applied_at) VALUES (${migration.version}, ${migration.description}, ${at})`);
    });
  }
  return latest;
}
