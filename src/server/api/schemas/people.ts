import { z } from 'zod';
import { isValidTimeZone } from '../../../core/time/zoned.ts';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../../auth/passwords.ts';
import { USER_ROLES } from '../../store/index.ts';
import { Instant, Key, Label, text } from './common.ts';

/** Users, sessions, schools and the roster. */

/** A user as the API shows it: never the password hash. */
export const UserViewSchema = z.object({
  username: z.string(),
  role: z.enum(USER_ROLES),
  displayName: z.string().nullable(),
  teacherCode: z.string().nullable(),
  schoolId: z.string().nullable(),
  createdAt: Instant,
});

export const LoginBody = z.strictObject({
  username: Key,
  password: z.string().min(1, 'must not be empty').max(MAX_PASSWORD_LENGTH, `at most ${MAX_PASSWORD_LENGTH} characters`),
});

export const SessionViewSchema = z.object({
  user: UserViewSchema,
  /** Send this in the X-CSRF-Token header with every POST, PUT and DELETE. */
  csrfToken: z.string(),
  expiresAt: Instant,
});

export const NewPassword = z.string()
  .min(MIN_PASSWORD_LENGTH, `at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(MAX_PASSWORD_LENGTH, `at most ${MAX_PASSWORD_LENGTH} characters`);

export const TeacherCode = text(16);

export const CreateUserBody = z.strictObject({
  username: Key,
  role: z.enum(USER_ROLES),
  password: NewPassword,
  displayName: Label.nullable().default(null),
  teacherCode: TeacherCode.nullable().default(null),
  schoolId: Key.nullable().default(null),
}).refine((u) => u.role !== 'teacher' || (u.teacherCode !== null && u.schoolId !== null), {
  message: 'a teacher needs a teacher code and a school', path: ['teacherCode'],
});

export const SchoolSchema = z.strictObject({
  id: Key,
  name: Label,
  timeZone: z.string().refine(isValidTimeZone, 'must be an IANA time zone, e.g. "Europe/Amsterdam"'),
});

export const GroupViewSchema = z.object({ schoolId: z.string(), code: z.string(), name: z.string().nullable() });

export const StudentViewSchema = z.object({
  schoolId: z.string(),
  id: z.string(),
  name: z.string().nullable(),
  loginName: z.string().nullable(),
});

/** Bodies of a roster upload: a school's students and its groups with their members. */
export const RosterBody = z.strictObject({
  schoolId: Key,
  students: z.array(z.strictObject({ id: Key, name: Label.nullable().default(null), loginName: Key.nullable().default(null) })).max(50_000),
  groups: z.array(z.strictObject({ code: Key, name: Label.nullable().default(null), studentIds: z.array(Key).max(5_000) })).max(10_000),
});

export const AuditEntrySchema = z.object({
  id: z.number().int(),
  at: Instant,
  username: z.string(),
  action: z.string(),
  subject: z.object({ kind: z.string(), id: z.string() }),
  schoolId: z.string().nullable(),
  detail: z.string().nullable(),
});
