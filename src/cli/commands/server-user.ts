import { DEFAULT_SCRYPT_COST, hashPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../../server/auth/passwords.ts';
import { USER_ROLES, type UserRole } from '../../server/store/index.ts';
import { createAccount } from '../../server/services/accounts.ts';
import { cliActor, NO_LIVE_LAPTOPS } from '../../server/services/service.ts';
import { UsageError, type Command } from '../command.ts';
import { readNewPassword } from './server-password.ts';
import { noPositionals, STORE_OPTIONS, withStore, type StoreValues } from './server-options.ts';

interface Values extends StoreValues {
  role?: string;
  username?: string;
  'teacher-code'?: string;
  school?: string;
  name?: string;
}

export const serverUserAdd: Command<Values> = {
  path: ['server', 'user', 'add'],
  summary: 'Add an account for the portal: an admin, a school leader or a teacher. The password is read from stdin, never from an argument.',
  options: {
    ...STORE_OPTIONS,
    role: { type: 'string', valueName: '<admin|leader|teacher>', help: 'What the account may do (required).' },
    username: { type: 'string', valueName: '<username>', help: 'The login name (required).' },
    'teacher-code': { type: 'string', valueName: '<code>', help: 'The teacher\'s code in the timetable, e.g. JNS (required for teachers).' },
    school: { type: 'string', valueName: '<school-id>', help: 'The school (required for teachers; a leader without one sees every school).' },
    name: { type: 'string', valueName: '<display name>', help: 'The name shown in the portal and on grants.' },
  },
  details: `The password (at least ${MIN_PASSWORD_LENGTH} characters) is asked twice on a terminal, or read as the first line of stdin:\n`
    + "  printf '%s\\n' \"$PASSWORD\" | lesmodus server user add --role teacher --username jansen --teacher-code JNS --school svok-college",
  async run(values, positionals, io) {
    noPositionals(positionals);
    const role = values.role as UserRole | undefined;
    if (role === undefined || !USER_ROLES.includes(role)) throw new UsageError(`--role must be one of ${USER_ROLES.join(', ')}`);
    if (!values.username) throw new UsageError('--username is required');
    if (role === 'teacher' && (!values['teacher-code'] || !values.school)) throw new UsageError('a teacher needs --teacher-code and --school');
    if (role !== 'teacher' && values['teacher-code'] !== undefined) throw new UsageError('only teachers have a --teacher-code');
    const password = await readNewPassword();
    if (password.length < MIN_PASSWORD_LENGTH) throw new Error(`the password must have at least ${MIN_PASSWORD_LENGTH} characters; nothing was changed`);
    if (password.length > MAX_PASSWORD_LENGTH) throw new Error(`the password must have at most ${MAX_PASSWORD_LENGTH} characters; nothing was changed`);
    const passwordHash = await hashPassword(password, DEFAULT_SCRYPT_COST);
    const user = await withStore(values, async (store) => {
      if (values.school !== undefined && (await store.school(values.school)) === null) {
        throw new UsageError(`there is no school '${values.school}'; add it with 'lesmodus server school add'`);
      }
      return createAccount({ store, laptops: NO_LIVE_LAPTOPS }, cliActor(), {
        username: values.username!,
        role,
        displayName: values.name ?? null,
        teacherCode: values['teacher-code'] ?? null,
        schoolId: values.school ?? null,
        passwordHash,
      }, Date.now());
    });
    io.out(`Added ${user.role} '${user.username}'${user.teacherCode ? ` (${user.teacherCode})` : ''}${user.schoolId ? ` at ${user.schoolId}` : ''}.`);
    return 0;
  },
};
