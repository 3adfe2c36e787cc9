import pg from 'pg';
import type { BulkInsert, SqlDriver, SqlExecutor } from '../driver.ts';
import { render, sql, Sql, type SqlValue } from '../sql.ts';

/**
 * Transient failures PostgreSQL asks the client to retry: serialization
 * failure and deadlock detected. Ingest inserts in a fixed order so they
 * should not happen; retrying makes a rare one invisible instead of an error.
 */
const RETRYABLE_SQLSTATES = new Set(['40001', '40P01']);
const TRANSACTION_ATTEMPTS = 3;

/** int8 (counts, epoch ms) and numeric (sums of int8): numbers, not strings. Epoch ms stay far below 2^53. */
const INT8_OID = 20;
const NUMERIC_OID = 1700;

export const postgresTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID || oid === NUMERIC_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text')),
} as pg.CustomTypesConfig;

function sqlStateOf(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

function executorFor(client: pg.PoolClient | pg.Pool): SqlExecutor {
  const query = async <R>(statement: Sql) => {
    const { text, values } = render(statement, 'dollar');
    return client.query(text, values) as unknown as Promise<pg.QueryResult<R & pg.QueryResultRow>>;
  };
  return {
    all: async <R>(statement: Sql) => (await query<R>(statement)).rows as R[],
    get: async <R>(statement: Sql) => (await query<R>(statement)).rows[0] as R | undefined,
    run: async (statement: Sql) => (await query(statement)).rowCount ?? 0,
    insertSkippingConflicts: async (spec, rows) => insertSkippingConflicts(client, spec, rows),
    // Held until the transaction ends. hashtext turns the key into the
    // integer advisory locks take; a rare collision only serialises two
    // unrelated writers a little longer.
    lock: async (key: string) => {
      await query(sql`SELECT pg_advisory_xact_lock(hashtext(${key}))`);
    },
  };
}

/**
 * One statement for the whole batch: each column goes as one array parameter
 * and unnest turns the arrays back into rows. 500 events are 11 parameters
 * instead of 5,500, and one round trip.
 */
async function insertSkippingConflicts(
  client: pg.PoolClient | pg.Pool,
  spec: BulkInsert,
  rows: readonly (readonly SqlValue[])[],
): Promise<SqlValue[]> {
  if (rows.length === 0) return [];
  const columns = spec.columns.map((c) => c.name);
  const arrays = spec.columns.map((_, index) => rows.map((row) => row[index] ?? null));
  const text = `INSERT INTO ${spec.table} (${columns.join(', ')}) ` +
    `SELECT * FROM unnest(${spec.columns.map((c, i) => `$${i + 1}::${c.type}[]`).join(', ')}) ` +
    `ON CONFLICT (${spec.conflict.join(', ')}) DO NOTHING RETURNING ${spec.returning} AS inserted`;
  const result = await client.query<{ inserted: SqlValue }>(text, arrays);
  return result.rows.map((row) => row.inserted);
}

/** The PostgreSQL side of SqlDriver over a pg Pool. */
export class PostgresDriver implements SqlDriver {
  readonly dialect = 'postgres';
  readonly location: string;
  readonly #pool: pg.Pool;
  readonly #direct: SqlExecutor;

  constructor(pool: pg.Pool, location: string) {
    this.#pool = pool;
    this.location = location;
    this.#direct = executorFor(pool);
  }

  all<R>(query: Sql): Promise<R[]> {
    return this.#direct.all<R>(query);
  }

  get<R>(query: Sql): Promise<R | undefined> {
    return this.#direct.get<R>(query);
  }

  run(query: Sql): Promise<number> {
    return this.#direct.run(query);
  }

  insertSkippingConflicts(spec: BulkInsert, rows: readonly (readonly SqlValue[])[]): Promise<SqlValue[]> {
    return this.#direct.insertSkippingConflicts(spec, rows);
  }

  async lock(): Promise<void> {
    throw new Error('lock() only works inside a transaction');
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#once(fn);
      } catch (error) {
        const state = sqlStateOf(error);
        if (attempt >= TRANSACTION_ATTEMPTS || state === undefined || !RETRYABLE_SQLSTATES.has(state)) throw error;
      }
    }
  }

  async exec(tx: SqlExecutor, text: string): Promise<void> {
    // Several statements in one text need the simple query protocol, which
    // pg uses for a query without values.
    await tx.run(new Sql([text], []));
  }

  async tableExists(tx: SqlExecutor, name: string): Promise<boolean> {
    const row = await tx.get<{ found: boolean }>(sql`SELECT to_regclass(${name}) IS NOT NULL AS found`);
    return row?.found === true;
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }

  async #once<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      try {
        const result = await fn(executorFor(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackError) {
          // A connection that cannot roll back must not go back to the pool mid-transaction.
          broken = rollbackError as Error;
        }
        throw error;
      }
    } finally {
      client.release(broken);
    }
  }
}
