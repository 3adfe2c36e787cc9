import { EnrollmentSecretFile } from '../../server/auth/enrollment-secrets.ts';
import { ensureDataDir } from '../../server/app/data-dir.ts';
import type { Command } from '../command.ts';
import { chooseSchool, dataDirOf, noPositionals, SCHOOL_OPTION, STORE_OPTIONS, withStore, type StoreValues } from './server-options.ts';

interface Values extends StoreValues {
  school?: string;
}

export const serverEnrollSecret: Command<Values> = {
  path: ['server', 'enroll-secret'],
  summary: "Make a device enrollment secret for the MDM configuration. It is printed once; the server keeps only its hash.",
  options: { ...STORE_OPTIONS, school: SCHOOL_OPTION },
  details: 'Devices enrolled with it belong to the school. Print it straight into the MDM tool; do not mail it around.',
  async run(values, positionals, io) {
    noPositionals(positionals);
    const dir = dataDirOf(values);
    await ensureDataDir(dir);
    const school = await withStore(values, (store) => chooseSchool(store, values.school));
    const { secret, record } = await new EnrollmentSecretFile(dir.enrollmentSecrets).create(school.id, Date.now());
    io.err(`Enrollment secret ${record.id} for ${school.id} (only its hash is stored in ${dir.enrollmentSecrets}):`);
    io.out(secret);
    return 0;
  },
};
