import { z } from 'zod';
import { hashPassword } from '../../auth/passwords.ts';
import { forbidden, invalidRequest, notFound } from '../../http/http-error.ts';
import { createAccount } from '../../services/accounts.ts';
import { servicesOf } from '../context.ts';
import { ServerStoreError, USER_ROLES } from '../../store/index.ts';
import { defineRoute, users, type AnyRoute } from '../route.ts';
import { oneSchool, schoolFilter } from '../school-scope.ts';
import { Key, PageQuery, pageOf } from '../schemas/common.ts';
import {
  AuditEntrySchema,
  CreateUserBody,
  GroupViewSchema,
  RosterBody,
  SchoolSchema,
  StudentViewSchema,
  UserViewSchema,
} from '../schemas/people.ts';
import { userView } from '../views.ts';
import * as rosterService from '../../services/roster.ts';

/** Schools, accounts and the roster (students and their groups): mostly the admin's. */

const listSchools = defineRoute({
  method: 'GET',
  path: '/api/v1/schools',
  tag: 'people',
  summary: 'The schools this user can see (their own, or all for an admin or a leader over every school).',
  access: users(...USER_ROLES),
  reply: { kind: 'json', status: 200, schema: z.object({ schools: z.array(SchoolSchema) }), description: 'Schools.' },
  async handle({ principal }, api) {
    const all = await api.store.schools();
    const own = principal.user.schoolId;
    return { schools: own === null ? all : all.filter((s) => s.id === own) };
  },
});

const putSchool = defineRoute({
  method: 'PUT',
  path: '/api/v1/schools/:id',
  tag: 'people',
  summary: 'Creates or renames a school.',
  access: users('admin'),
  params: z.strictObject({ id: Key }),
  body: SchoolSchema.omit({ id: true }),
  reply: { kind: 'json', status: 200, schema: SchoolSchema, description: 'The school.' },
  async handle({ params, body, scope }, api) {
    const school = { id: params.id, ...body };
    await api.store.putSchool(school, scope.now);
    return school;
  },
});

const listUsers = defineRoute({
  method: 'GET',
  path: '/api/v1/users',
  tag: 'people',
  summary: "Accounts, optionally of one school or role (a leader sees their school's, e.g. for the log's teacher filter).",
  access: users('admin', 'leader'),
  query: z.strictObject({ school: Key.optional(), role: z.enum(USER_ROLES).optional() }),
  reply: { kind: 'json', status: 200, schema: z.object({ users: z.array(UserViewSchema) }), description: 'Accounts.' },
  async handle({ principal, query }, api) {
    const school = schoolFilter(principal.user, query.school);
    const list = await api.store.users({ ...(school ? { schoolId: school } : {}), ...(query.role ? { role: query.role } : {}) });
    return { users: list.map(userView) };
  },
});

const createUser = defineRoute({
  method: 'POST',
  path: '/api/v1/users',
  tag: 'people',
  summary: 'Creates an account (admin, leader or teacher). 409 when the username or the teacher code at that school is taken.',
  description: 'An admin of one school makes accounts of that school only. Audited.',
  access: users('admin'),
  body: CreateUserBody,
  reply: { kind: 'json', status: 201, schema: UserViewSchema, description: 'The new account.' },
  async handle({ principal, body, scope }, api) {
    const { password, ...rest } = body;
    if (principal.user.schoolId !== null && rest.schoolId !== principal.user.schoolId) {
      throw forbidden(`You can only make accounts of school "${principal.user.schoolId}".`);
    }
    if (rest.schoolId !== null && (await api.store.school(rest.schoolId)) === null) throw notFound(`There is no school "${rest.schoolId}".`);
    const user = await createAccount(servicesOf(api), principal.user, { ...rest, passwordHash: await hashPassword(password, api.settings.passwordCost) }, scope.now);
    return userView(user);
  },
});

const listGroups = defineRoute({
  method: 'GET',
  path: '/api/v1/groups',
  tag: 'roster',
  summary: "The school's groups (classes and lesson groups).",
  access: users(...USER_ROLES),
  query: z.strictObject({ school: Key.optional() }),
  reply: { kind: 'json', status: 200, schema: z.object({ groups: z.array(GroupViewSchema) }), description: 'Groups.' },
  async handle({ principal, query }, api) {
    const school = await oneSchool(api, principal.user, query.school);
    return { groups: await api.store.groups(school.id) };
  },
});

const groupStudents = defineRoute({
  method: 'GET',
  path: '/api/v1/groups/:code/students',
  tag: 'roster',
  summary: "A group's students (recorded in the audit log when a leader looks).",
  access: users('admin', 'leader'),
  params: z.strictObject({ code: Key }),
  query: z.strictObject({ school: Key.optional() }),
  reply: { kind: 'json', status: 200, schema: z.object({ students: z.array(StudentViewSchema) }), description: 'Students.' },
  async handle({ principal, params, query, scope }, api) {
    const school = await oneSchool(api, principal.user, query.school);
    const students = await api.store.studentsInGroup(school.id, params.code);
    if (principal.user.role === 'leader') {
      await api.store.recordAudit({ at: scope.now, username: principal.user.username, action: 'view-group-students',
        subject: { kind: 'group', id: params.code }, schoolId: school.id, detail: null });
    }
    return { students };
  },
});

const putRoster = defineRoute({
  method: 'PUT',
  path: '/api/v1/roster',
  tag: 'roster',
  summary: "Uploads a school's students and replaces its groups and their members.",
  description: 'Students are created or updated by id (none are removed); the groups are replaced as a whole, in one transaction. Audited; the school\'s laptops pull their schedules again.',
  access: users('admin'),
  body: RosterBody,
  bodyLimit: 8 * 1024 * 1024,
  reply: { kind: 'json', status: 200, schema: z.object({ students: z.number().int(), groups: z.number().int() }), description: 'Counts stored.' },
  async handle({ principal, body, scope }, api) {
    const school = await api.store.school(body.schoolId);
    if (school === null) throw notFound(`There is no school "${body.schoolId}".`);
    try {
      return await rosterService.putRoster(servicesOf(api), principal.user, school, body, scope.now);
    } catch (error) {
      // A member who is not a student of the school is a mistake in this body, not a missing URL.
      if (error instanceof ServerStoreError && error.code === 'not-found') throw invalidRequest([{ path: 'body.groups', message: error.message }]);
      throw error;
    }
  },
});

const auditLog = defineRoute({
  method: 'GET',
  path: '/api/v1/audit',
  tag: 'leader',
  summary: 'The audit log: who looked at per-student detail or exported the log, and when. Newest first.',
  access: users('admin', 'leader'),
  query: z.strictObject({
    school: Key.optional(),
    username: Key.optional(),
    ...PageQuery,
  }),
  reply: { kind: 'json', status: 200, schema: z.object({ rows: z.array(AuditEntrySchema), total: z.number().int() }), description: 'Entries.' },
  async handle({ principal, query }, api) {
    const school = schoolFilter(principal.user, query.school);
    const page = await api.store.auditLog({ ...(school ? { schoolId: school } : {}), ...(query.username ? { username: query.username } : {}) },
      pageOf(query));
    return { rows: [...page.rows], total: page.total };
  },
});

export const peopleRoutes: readonly AnyRoute[] = [listSchools, putSchool, listUsers, createUser, listGroups, groupStudents, putRoster, auditLog];
