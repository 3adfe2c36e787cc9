import { resolve } from 'node:path';
import { chooseDatabaseUrl } from '../../server/app/data-dir.ts';
import { backupSqliteStore, restoreSqliteStore } from '../../server/app/sqlite-backup.ts';
import { UsageError, type Command } from '../command.ts';
import { dataDirOf, STORE_OPTIONS, type StoreValues } from './server-options.ts';

/** PostgreSQL has its own tools for this, which every DBA knows; Lesmodus does not wrap them. */
const USE_PG_TOOLS = 'with PostgreSQL, back up with pg_dump --format=custom --file <file> "$LESMODUS_DATABASE_URL" and restore with pg_restore '
  + '--clean --if-exists --no-owner --dbname "$LESMODUS_DATABASE_URL" <file> (servers stopped); see the README, "Backup and restore"';

function fileOf(positionals: readonly string[]): string {
  if (positionals.length !== 1) throw new UsageError('name one file');
  return resolve(positionals[0]!);
}

export const serverBackup: Command<StoreValues> = {
  path: ['server', 'backup'],
  summary: 'Copy the SQLite database to a new file while the server runs (SQLite online backup).',
  options: STORE_OPTIONS,
  details: 'Example:\n  lesmodus server backup --data-dir /var/lib/lesmodus-server /var/backups/lesmodus-$(date +%F).db\n'
    + 'The keys and enrollment secrets in the data folder are not in the database: keep a copy of the folder\'s .pem and .json files too.',
  async run(values, positionals, io) {
    const target = fileOf(positionals);
    if (chooseDatabaseUrl(values['database-url']) !== undefined) throw new UsageError(USE_PG_TOOLS);
    const { pages } = await backupSqliteStore(dataDirOf(values).root, target);
    io.out(`Backed up the server database to ${target} (${pages} pages, owner-only).`);
    return 0;
  },
};

export const serverRestore: Command<StoreValues> = {
  path: ['server', 'restore'],
  summary: 'Put a backup made by lesmodus server backup in place of the SQLite database (stop the server first).',
  options: STORE_OPTIONS,
  async run(values, positionals, io) {
    const source = fileOf(positionals);
    if (chooseDatabaseUrl(values['database-url']) !== undefined) throw new UsageError(USE_PG_TOOLS);
    const { keptAs } = await restoreSqliteStore(dataDirOf(values).root, source, Date.now());
    io.out(`Restored the server database from ${source}.${keptAs === null ? '' : ` The database it replaced is kept as ${keptAs}.`}`);
    io.out('Laptops enrolled before the backup go on as they were; laptops enrolled after it enroll again as the same device. Events they sent after the backup are not sent again (see the README).');
    return 0;
  },
};
