import { DEFAULT_TIME_ZONE, isValidTimeZone } from '../../core/time/zoned.ts';
import { ensureDataDir } from '../../server/app/data-dir.ts';
import { createServerKeys } from '../../server/app/server-keys.ts';
import { UsageError, type Command } from '../command.ts';
import { dataDirOf, describeStore, noPositionals, STORE_OPTIONS, withStore, type StoreValues } from './server-options.ts';

interface Values extends StoreValues {
  school?: string;
  'school-name'?: string;
  zone?: string;
}

export const serverInit: Command<Values> = {
  path: ['server', 'init'],
  summary: "Set up the school server: the data folder, the database, the Ed25519 signing key (printed for MDM) and optionally the first school.",
  options: {
    ...STORE_OPTIONS,
    school: { type: 'string', valueName: '<school-id>', help: 'Also create (or rename) this school, e.g. svok-college.' },
    'school-name': { type: 'string', valueName: '<name>', help: "The school's name (with --school)." },
    zone: { type: 'string', valueName: '<iana-zone>', help: `The school's time zone (default ${DEFAULT_TIME_ZONE}).` },
  },
  details: 'Safe to run again: an existing key is kept (devices pinned it), the database is migrated.\n'
    + 'Example:\n  lesmodus server init --data-dir /var/lib/lesmodus --school svok-college --school-name "SVOK College"',
  async run(values, positionals, io) {
    noPositionals(positionals);
    if ((values.school === undefined) !== (values['school-name'] === undefined)) throw new UsageError('give --school and --school-name together');
    const zone = values.zone ?? DEFAULT_TIME_ZONE;
    if (!isValidTimeZone(zone)) throw new UsageError(`unknown time zone '${zone}'`);
    const dir = dataDirOf(values);
    await ensureDataDir(dir);
    const { created, signer } = await createServerKeys(dir);
    await withStore(values, async (store) => {
      if (values.school !== undefined) await store.putSchool({ id: values.school, name: values['school-name']!, timeZone: zone }, Date.now());
      io.err(`Database ready: ${describeStore(values)} (schema version ${store.schemaVersion}).`);
    });
    io.err(created ? `Created the signing key in ${dir.privateKey} (owner read/write only).` : `Kept the existing signing key in ${dir.privateKey}.`);
    if (values.school !== undefined) io.err(`School '${values.school}' is ready.`);
    io.err(`Key id ${signer.keyId}. Put this public key in the MDM configuration of every laptop:`);
    io.out(signer.publicKeyPem.trimEnd());
    io.err("Next: 'lesmodus server user add', 'lesmodus server timetable import', 'lesmodus server enroll-secret', then 'lesmodus server'.");
    return 0;
  },
};
