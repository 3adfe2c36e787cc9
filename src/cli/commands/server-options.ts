import { chooseDatabaseUrl, chooseDataDir, DATA_DIR_VARIABLE, DATABASE_URL_VARIABLE, type DataDir } from '../../server/app/data-dir.ts';
import { openServerStore, redactedUrl, type School, type ServerStore } from '../../server/store/index.ts';
import { UsageError, type OptionSpec } from '../command.ts';
import { PostgresRelay } from '../../server/live/postgres-relay.ts';
import { NO_LIVE_LAPTOPS, type LaptopNotifier } from '../../server/services/service.ts';

/** What every `lesmodus server …` command shares: where the data folder and the database are, and which school is meant. */

export interface StoreValues {
  'data-dir'?: string;
  'database-url'?: string;
}

export const STORE_OPTIONS: Readonly<Record<keyof StoreValues, OptionSpec>> = {
  'data-dir': { type: 'string', valueName: '<dir>', help: `The server's data folder: keys, enrollment secrets, the SQLite database (default $${DATA_DIR_VARIABLE} or ./lesmodus-data).` },
  'database-url': { type: 'string', valueName: '<postgres://…>', help: `Use PostgreSQL instead of SQLite (default $${DATABASE_URL_VARIABLE}; the variable keeps the password out of shell history).` },
};

export const SCHOOL_OPTION: OptionSpec = { type: 'string', valueName: '<school-id>', help: 'The school (may be left out when the server has one).' };

export function dataDirOf(values: StoreValues): DataDir {
  return chooseDataDir(values['data-dir']);
}

/** Where the store is, in words that never show a password. */
export function describeStore(values: StoreValues): string {
  const url = chooseDatabaseUrl(values['database-url']);
  return url === undefined ? `SQLite in ${dataDirOf(values).root}` : `PostgreSQL at ${redactedUrl(url)}`;
}

/**
 * Opens the store for one command. `laptops` reaches the running server's
 * live streams where it can: on PostgreSQL through NOTIFY (a consent
 * imported here makes the laptops pull at once); on SQLite not at all (the
 * laptops pull within 15 minutes).
 */
export async function withStore<T>(values: StoreValues, use: (store: ServerStore, laptops: LaptopNotifier) => Promise<T>): Promise<T> {
  const databaseUrl = chooseDatabaseUrl(values['database-url']);
  const store = await openServerStore({ dataDir: dataDirOf(values).root, databaseUrl });
  const relay = databaseUrl === undefined ? undefined : new PostgresRelay({ connectionString: databaseUrl, local: null, store, logger: quietLogger });
  try {
    return await use(store, relay ?? NO_LIVE_LAPTOPS);
  } finally {
    // Its notifications are sent before the command ends.
    await relay?.close();
    await store.close();
  }
}

/** The relay's warnings on the command line: a missed notification only delays the laptops' pull. */
const quietLogger = {
  info: () => undefined,
  warn: (message: string) => console.error(`lesmodus: ${message}`),
};

/** The school named by --school, or the only one there is. */
export async function chooseSchool(store: ServerStore, id: string | undefined): Promise<School> {
  if (id !== undefined) {
    const school = await store.school(id);
    if (school === null) throw new UsageError(`there is no school '${id}'; add it with 'lesmodus server school add --id ${id} --name …'`);
    return school;
  }
  const schools = await store.schools();
  if (schools.length === 1) return schools[0]!;
  if (schools.length === 0) throw new UsageError("there is no school yet; add one with 'lesmodus server school add --id … --name …'");
  throw new UsageError(`name the school with --school (one of: ${schools.map((s) => s.id).join(', ')})`);
}

export function noPositionals(positionals: readonly string[]): void {
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
}
