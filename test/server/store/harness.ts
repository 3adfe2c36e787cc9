import { afterEach } from 'vitest';
import type { SqlServerStore } from '../../../src/server/store/sql-server-store.ts';
import type { Sql } from '../../../src/server/store/sql.ts';

/** One empty database for one test; `open` opens another connection (another store) to it each time. */
export interface TestDatabase {
  open(): Promise<SqlServerStore>;
  /** Reads the database without the store (which may refuse to open it): to see that a refusal changed nothing. */
  peek<R>(query: Sql): Promise<R[]>;
  /** Removes the database (closing nothing: the harness closes the stores first). */
  drop(): Promise<void>;
}

/** What the shared suite runs against: SQLite files or PostgreSQL schemas. */
export interface StoreTarget {
  readonly dialect: 'sqlite' | 'postgres';
  newDatabase(): Promise<TestDatabase>;
}

export interface Harness {
  readonly target: StoreTarget;
  /** A store on a new, empty database; closed and dropped after the test. */
  fresh(): Promise<SqlServerStore>;
  /** Another connection to the database `store` is on. */
  another(store: SqlServerStore): Promise<SqlServerStore>;
  /** The database behind a store, to open it again after closing. */
  databaseOf(store: SqlServerStore): TestDatabase;
}

/** Registers cleanup with the test runner: every store a test opened is closed and its database dropped. */
export function useHarness(target: StoreTarget): Harness {
  const databases: TestDatabase[] = [];
  const stores: SqlServerStore[] = [];
  const databaseOfStore = new Map<SqlServerStore, TestDatabase>();
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    for (const database of databases.splice(0)) await database.drop();
    databaseOfStore.clear();
  });
  const track = async (database: TestDatabase): Promise<SqlServerStore> => {
    const store = await database.open();
    stores.push(store);
    databaseOfStore.set(store, database);
    return store;
  };
  const databaseOf = (store: SqlServerStore): TestDatabase => {
    const database = databaseOfStore.get(store);
    if (database === undefined) throw new Error('that store was not opened by this harness');
    return database;
  };
  return {
    target,
    fresh: async () => {
      const database = await target.newDatabase();
      databases.push(database);
      return track(database);
    },
    another: async (store) => track(databaseOf(store)),
    databaseOf,
  };
}
