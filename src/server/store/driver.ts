import type { Sql, SqlValue } from './sql.ts';

/**
 * What the shared queries need from a database connection. The SQLite and
 * PostgreSQL drivers implement it; everything above it is written once.
 */
export interface SqlExecutor {
  /** Every row. */
  all<R>(query: Sql): Promise<R[]>;
  /** The first row, or undefined. */
  get<R>(query: Sql): Promise<R | undefined>;
  /** Runs a statement; returns how many rows it changed. */
  run(query: Sql): Promise<number>;
  /**
   * Inserts rows, skipping each one whose `conflict` key is already stored
   * (ON CONFLICT DO NOTHING), and returns the `returning` column of the rows
   * it inserted. The bulk path of event ingest: each driver does it the
   * fastest way it has (prepared statement per row on SQLite, one statement
   * over arrays on PostgreSQL).
   */
  insertSkippingConflicts(spec: BulkInsert, rows: readonly (readonly SqlValue[])[]): Promise<SqlValue[]>;
  /**
   * Serialises writers that would otherwise race on rows not yet written
   * (two imports replacing the same lessons). Only inside a transaction; held
   * until it ends. SQLite needs nothing: its write transactions already take
   * the one write lock.
   */
  lock(key: string): Promise<void>;
}

/** Table and column names are constants in the code (they become SQL text); the rows are always parameters. */
export interface BulkInsert {
  readonly table: string;
  readonly columns: readonly { readonly name: string; readonly type: 'text' | 'bigint' }[];
  readonly conflict: readonly string[];
  readonly returning: string;
}

export type Dialect = 'sqlite' | 'postgres';

export interface SqlDriver extends SqlExecutor {
  readonly dialect: Dialect;
  /** Where the data is, for messages: a file path or a URL without its password. */
  readonly location: string;
  /**
   * Runs `fn` in one write transaction: everything it did commits together or
   * not at all. Transient conflicts (a PostgreSQL deadlock or serialization
   * failure) are retried, so `fn` must not have effects outside the database.
   */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Runs schema text (several statements, no values): migrations only. */
  exec(tx: SqlExecutor, text: string): Promise<void>;
  /** Whether a table exists (in PostgreSQL: in the store's schema). */
  tableExists(tx: SqlExecutor, name: string): Promise<boolean>;
  close(): Promise<void>;
}
