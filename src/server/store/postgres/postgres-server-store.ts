import pg from 'pg';
import { ServerStoreError } from '../errors.ts';
import { migrate } from '../migrate.ts';
import { DEFAULT_CONTACT_GAP_MS, SqlServerStore, type StoreTuning } from '../sql-server-store.ts';
import { POSTGRES_MIGRATIONS } from './migrations.ts';
import { PostgresDriver, postgresTypes } from './postgres-driver.ts';

/**
 * Connections in the pool. The API serves many devices at once, but each
 * request holds a connection for milliseconds; ten keeps PostgreSQL's
 * per-connection memory small while several ingests and dashboard queries
 * run side by side.
 */
export const POSTGRES_POOL_SIZE = 10;

/** Connecting must fail clearly, not hang the server's start, when the database is unreachable. */
export const POSTGRES_CONNECT_TIMEOUT_MS = 10_000;

export interface PostgresStoreOptions extends Partial<StoreTuning> {
  /** postgres://user:password@host:port/database */
  readonly url: string;
  /**
   * A schema to keep the tables in (created when missing); default: the
   * connection's search_path, usually "public". Tests use one per run.
   */
  readonly schema?: string;
  readonly poolSize?: number;
  /** The clock for the migration record. Default Date.now. */
  readonly now?: () => number;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** The URL with its password masked, for messages and logs. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(an unparseable database URL)';
  }
}

/** The store for larger installations: PostgreSQL, through a pg connection pool. */
export class PostgresServerStore extends SqlServerStore {
  static async open(options: PostgresStoreOptions): Promise<PostgresServerStore> {
    const location = redactedUrl(options.url) + (options.schema === undefined ? '' : ` (schema ${options.schema})`);
    if (options.schema !== undefined && !SCHEMA_NAME.test(options.schema)) {
      throw new ServerStoreError('invalid-input', `"${options.schema}" is not a usable schema name: use lowercase letters, digits and _ (at most 63).`);
    }
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? POSTGRES_POOL_SIZE,
      connectionTimeoutMillis: POSTGRES_CONNECT_TIMEOUT_MS,
      types: postgresTypes,
      // The schema name was checked above, so quoting it is enough.
      ...(options.schema === undefined ? {} : { options: `-c search_path="${options.schema}"` }),
    });
    // An idle connection that the server drops (restart, failover) emits
    // 'error' on the pool; without a listener that would crash the server.
    // The pool discards the connection and the next query opens a new one.
    pool.on('error', () => {});
    const driver = new PostgresDriver(pool, location);
    try {
      if (options.schema !== undefined) await pool.query(`CREATE SCHEMA IF NOT EXISTS "${options.schema}"`);
      const version = await migrate(driver, POSTGRES_MIGRATIONS, (options.now ?? Date.now)());
      return new PostgresServerStore(driver, version, { contactGapMs: options.contactGapMs ?? DEFAULT_CONTACT_GAP_MS });
    } catch (error) {
      await driver.close();
      if (error instanceof ServerStoreError) throw error;
      throw new ServerStoreError('cannot-open', `Could not open the server store at ${location}: ${(error as Error).message}`, { cause: error });
    }
  }
}
