import type { Database, Statement } from 'better-sqlite3';
import type { BulkInsert, SqlDriver, SqlExecutor } from '../driver.ts';
import { render, sql, type Sql, type SqlValue } from '../sql.ts';
import type { AsyncLock } from './async-lock.ts';

/**
 * Prepared statements kept per connection, by SQL text. Filters build a
 * bounded number of query shapes (a few hundred at most), so a plain map
 * that is emptied when it grows past this never evicts anything in practice.
 */
const STATEMENT_CACHE_LIMIT = 1_000;

/** The SQLite side of SqlDriver over one better-sqlite3 connection. */
export class SqliteDriver implements SqlDriver {
  readonly dialect = 'sqlite';
  readonly location: string;
  readonly #db: Database;
  readonly #lock: AsyncLock;
  readonly #statements = new Map<string, Statement>();
  /** Runs without taking the lock: for use inside a transaction, which holds it. */
  readonly #inTransaction: SqlExecutor;

  constructor(db: Database, location: string, lock: AsyncLock) {
    this.#db = db;
    this.location = location;
    this.#lock = lock;
    this.#inTransaction = {
      all: async <R>(query: Sql) => this.#prepare(query).all(...query.values) as R[],
      get: async <R>(query: Sql) => this.#prepare(query).get(...query.values) as R | undefined,
      run: async (query: Sql) => this.#prepare(query).run(...query.values).changes,
      insertSkippingConflicts: async (spec, rows) => this.#insertSkippingConflicts(spec, rows),
      lock: async () => {},
    };
  }

  all<R>(query: Sql): Promise<R[]> {
    return this.#lock.run(() => this.#inTransaction.all<R>(query));
  }

  get<R>(query: Sql): Promise<R | undefined> {
    return this.#lock.run(() => this.#inTransaction.get<R>(query));
  }

  run(query: Sql): Promise<number> {
    return this.#lock.run(() => this.#inTransaction.run(query));
  }

  insertSkippingConflicts(spec: BulkInsert, rows: readonly (readonly SqlValue[])[]): Promise<SqlValue[]> {
    return this.transaction((tx) => tx.insertSkippingConflicts(spec, rows));
  }

  async lock(): Promise<void> {}

  /**
   * BEGIN IMMEDIATE takes the write lock at the start: a deferred transaction
   * that reads first and writes later can fail with SQLITE_BUSY (no waiting)
   * when another connection wrote in between.
   */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.#lock.run(async () => {
      this.#db.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(this.#inTransaction);
        this.#db.exec('COMMIT');
        return result;
      } catch (error) {
        if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
        throw error;
      }
    });
  }

  async exec(_tx: SqlExecutor, text: string): Promise<void> {
    this.#db.exec(text);
  }

  async tableExists(tx: SqlExecutor, name: string): Promise<boolean> {
    const row = await tx.get<{ found: number }>(sql`SELECT count(*) AS found FROM sqlite_schema WHERE type = 'table' AND name = ${name}`);
    return (row?.found ?? 0) > 0;
  }

  close(): Promise<void> {
    return this.#lock.run(async () => {
      if (this.#db.open) this.#db.close();
    });
  }

  #prepare(query: Sql): Statement {
    const { text } = render(query, 'question');
    let statement = this.#statements.get(text);
    if (statement === undefined) {
      if (this.#statements.size >= STATEMENT_CACHE_LIMIT) this.#statements.clear();
      statement = this.#db.prepare(text);
      this.#statements.set(text, statement);
    }
    return statement;
  }

  /** One prepared INSERT run per row: inside a transaction SQLite does several hundred thousand a second. */
  #insertSkippingConflicts(spec: BulkInsert, rows: readonly (readonly SqlValue[])[]): SqlValue[] {
    const columns = spec.columns.map((c) => c.name);
    const text = `INSERT INTO ${spec.table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')}) ` +
      `ON CONFLICT (${spec.conflict.join(', ')}) DO NOTHING`;
    let statement = this.#statements.get(text);
    if (statement === undefined) {
      statement = this.#db.prepare(text);
      this.#statements.set(text, statement);
    }
    const returning = columns.indexOf(spec.returning);
    const inserted: SqlValue[] = [];
    for (const row of rows) {
      if (statement.run(...row).changes === 1) inserted.push(row[returning] ?? null);
    }
    return inserted;
  }
}
