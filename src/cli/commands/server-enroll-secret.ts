import { cliActor, NO_LIVE_LAPTOPS } from '../../server/services/service.ts';
import { createEnrollmentSecret, revokeEnrollmentSecret } from '../../server/services/enrollment-secrets.ts';
import { EnrollmentSecretFile } from '../../server/auth/enrollment-secrets.ts';
import { ensureDataDir } from '../../server/app/data-dir.ts';
import { UsageError, type Command } from '../command.ts';
import { iso, table } from '../format.ts';
import { chooseSchool, dataDirOf, noPositionals, SCHOOL_OPTION, STORE_OPTIONS, withStore, type StoreValues } from './server-options.ts';

interface Values extends StoreValues {
  school?: string;
}

export const serverEnrollSecret: Command<Values> = {
  path: ['server', 'enroll-secret'],
  summary: "Make a device enrollment secret for the MDM configuration. It is printed once; the server keeps only its hash.",
  options: { ...STORE_OPTIONS, school: SCHOOL_OPTION },
  details: [
    'Devices enrolled with it belong to the school. Print it straight into the MDM tool; do not mail it around.',
    "See them with 'lesmodus server enroll-secret list'; revoke a leaked one with 'lesmodus server enroll-secret revoke <id>'.",
  ].join('\n'),
  async run(values, positionals, io) {
    noPositionals(positionals);
    const dir = dataDirOf(values);
    await ensureDataDir(dir);
    // Through the service, so the audit log says who made it (the same entry as the admin page's).
    const { school, secret, record } = await withStore(values, async (store) => {
      const school = await chooseSchool(store, values.school);
      const file = new EnrollmentSecretFile(dir.enrollmentSecrets);
      return { school, ...(await createEnrollmentSecret({ store, laptops: NO_LIVE_LAPTOPS }, file, cliActor(), school.id, Date.now())) };
    });
    io.err(`Enrollment secret ${record.id} for ${school.id} (only its hash is stored in ${dir.enrollmentSecrets}):`);
    io.out(secret);
    return 0;
  },
};

type DataDirValues = Pick<StoreValues, 'data-dir'>;
const DATA_DIR_OPTION = { 'data-dir': STORE_OPTIONS['data-dir'] };

export const serverEnrollSecretList: Command<DataDirValues> = {
  path: ['server', 'enroll-secret', 'list'],
  summary: 'List the enrollment secrets (never the secrets themselves): id, school, when made, whether revoked.',
  options: DATA_DIR_OPTION,
  async run(values, positionals, io) {
    noPositionals(positionals);
    const dir = dataDirOf(values);
    const secrets = await new EnrollmentSecretFile(dir.enrollmentSecrets).list();
    io.out(table(['Id', 'School', 'Created', 'Revoked'], secrets.map((s) => [
      s.id, s.schoolId ?? '(any)', iso(s.createdAt), s.revokedAt === undefined ? 'no' : `yes, ${iso(s.revokedAt)}`,
    ])));
    const valid = secrets.filter((s) => s.revokedAt === undefined).length;
    io.out(`${secrets.length} enrollment secret${secrets.length === 1 ? '' : 's'}, ${valid} valid (${dir.enrollmentSecrets}).`);
    return 0;
  },
};

export const serverEnrollSecretRevoke: Command<StoreValues> = {
  path: ['server', 'enroll-secret', 'revoke'],
  positionals: '<id>',
  summary: 'Revoke a (leaked) enrollment secret: it no longer enrolls devices, at once, also on a running server. Enrolled devices keep working.',
  // The store too: the revocation is audited under the CLI user, as the admin page's is.
  options: STORE_OPTIONS,
  details: [
    "The id is the one 'lesmodus server enroll-secret list' shows (or its first 8 or more characters).",
    "Make a new secret with 'lesmodus server enroll-secret' and put it in the MDM configuration; a laptop that was stolen",
    "is cut off with 'lesmodus server device revoke <device-id>' (or in the web app).",
  ].join('\n'),
  async run(values, positionals, io) {
    const [id, ...extra] = positionals;
    if (!id) throw new UsageError('name the secret to revoke (its id, from list)');
    if (extra.length) throw new UsageError(`unexpected argument '${extra[0]}'`);
    const dir = dataDirOf(values);
    const file = new EnrollmentSecretFile(dir.enrollmentSecrets);
    const result = await withStore(values, (store) => revokeEnrollmentSecret({ store, laptops: NO_LIVE_LAPTOPS }, file, cliActor(), id, Date.now()));
    if (result === null) {
      io.err(`There is no single enrollment secret '${id}' in ${dir.enrollmentSecrets}; see 'lesmodus server enroll-secret list'.`);
      return 1;
    }
    const { record: revoked, already } = result;
    io.out(already
      ? `Enrollment secret ${revoked.id} was already revoked (${iso(revoked.revokedAt!)}).`
      : `Revoked enrollment secret ${revoked.id} (${revoked.schoolId ?? 'any school'}): it no longer enrolls devices; enrolled devices keep working.`);
    return 0;
  },
};

