import { z } from 'zod';
import { defineRoute, users, type AnyRoute } from '../route.ts';
import { grantFor } from '../grants/grant-access.ts';
import { issueGrant } from '../grants/issue-grant.ts';
import { teaches } from '../grants/authority.ts';
import { schoolFilter } from '../school-scope.ts';
import { IdParams, InstantParam, PageQuery, pageOf, text } from '../schemas/common.ts';
import { CreateGrantBody, ExceptionPageSchema, GrantSummarySchema, GrantViewSchema, RevokeGrantBody } from '../schemas/grants.ts';
import { EXCEPTION_STATUSES, type ExceptionLogFilter } from '../../store/index.ts';
import { grantConsent, studentsReached } from '../consent.ts';
import { grantView } from '../views.ts';

/** The teacher portal's grants: make one, list them, see how many devices applied it, revoke it. Leaders may do the same. */

const createGrant = defineRoute({
  method: 'POST',
  path: '/api/v1/grants',
  tag: 'grants',
  summary: 'Grants an exception: a teacher for a lesson they teach, a leader for any lesson, group, student, device or time window.',
  description: 'A reason (the educational purpose) is required. It expires at the end of the lesson or window unless an earlier expiresAt is given. '
    + 'The grant is signed with the server key and pushed to the devices it reaches at once.',
  access: users('teacher', 'leader'),
  body: CreateGrantBody,
  reply: { kind: 'json', status: 201, schema: GrantViewSchema, description: 'The grant as stored and signed.' },
  async handle({ principal, body, scope }, api) {
    return grantView(await issueGrant(api, principal.user, body, scope.now), scope.now);
  },
});

const listGrants = defineRoute({
  method: 'GET',
  path: '/api/v1/grants',
  tag: 'grants',
  summary: "Grants for one lesson (a teacher's own lesson), or the ones this user issued; newest first.",
  access: users('teacher', 'leader'),
  query: z.strictObject({
    lessonUid: text(512).optional(),
    lessonStart: InstantParam.optional(),
    status: z.enum(EXCEPTION_STATUSES).optional(),
    ...PageQuery,
  }).refine((q) => (q.lessonUid === undefined) === (q.lessonStart === undefined), { message: 'give lessonUid and lessonStart together', path: ['lessonStart'] }),
  reply: { kind: 'json', status: 200, schema: ExceptionPageSchema, description: 'One page.' },
  async handle({ principal, query, scope }, api) {
    const { user } = principal;
    const school = schoolFilter(user, undefined);
    const filter: { -readonly [K in keyof ExceptionLogFilter]: ExceptionLogFilter[K] } = { at: scope.now };
    if (school !== undefined) filter.schoolId = school;
    if (query.status !== undefined) filter.status = query.status;
    if (query.lessonUid !== undefined && query.lessonStart !== undefined) {
      filter.lesson = { uid: query.lessonUid, start: query.lessonStart };
      // A teacher sees every grant for a lesson they teach; for any other lesson only their own.
      const lesson = user.schoolId === null ? null : await api.store.lesson(user.schoolId, query.lessonUid, query.lessonStart);
      if (user.role === 'teacher' && (lesson === null || !teaches(user.teacherCode, lesson))) filter.issuedBy = user.username;
    } else if (user.role === 'teacher') {
      filter.issuedBy = user.username;
    }
    const page = pageOf(query);
    const result = await api.store.exceptionLog(filter, page);
    return { rows: [...result.rows], total: result.total, ...page };
  },
});

const grantSummary = defineRoute({
  method: 'GET',
  path: '/api/v1/grants/:id',
  tag: 'grants',
  summary: 'One grant with how many of the devices it reaches have applied it, and how many students it reaches lack the consent it needs '
    + '(art. III.B.9); counts only: leaders see per-device detail in the exception log.',
  access: users('teacher', 'leader'),
  params: IdParams,
  reply: { kind: 'json', status: 200, schema: GrantSummarySchema, description: 'The grant and its counts.' },
  async handle({ principal, params, scope }, api) {
    const record = await grantFor(api, principal.user, params.id);
    const detail = await api.store.exceptionDetail(record.grant.id, scope.now);
    const consent = await grantConsent(api, record, await studentsReached(api, record), scope.now);
    return {
      grant: grantView(record, scope.now),
      devicesExpected: detail?.devicesExpected ?? 0,
      devicesApplied: detail?.devices.filter((d) => d.appliedAt !== null).length ?? 0,
      studentsWithoutConsent: consent.without.size,
    };
  },
});

const revokeGrant = defineRoute({
  method: 'POST',
  path: '/api/v1/grants/:id/revoke',
  tag: 'grants',
  summary: 'Revokes a grant now; the devices it reached are told at once. Revoking twice keeps the first revocation.',
  access: users('teacher', 'leader'),
  params: IdParams,
  body: RevokeGrantBody,
  reply: { kind: 'json', status: 200, schema: GrantViewSchema, description: 'The grant, revoked.' },
  async handle({ principal, params, scope }, api) {
    const record = await grantFor(api, principal.user, params.id);
    const already = record.revokedAt !== null;
    const revoked = (await api.store.revokeGrant(record.grant.id, { at: scope.now, by: principal.user.username }))!;
    if (!already) api.hub.publish({ kind: 'revocation', record: revoked });
    return grantView(revoked, scope.now);
  },
});

export const grantRoutes: readonly AnyRoute[] = [createGrant, listGrants, grantSummary, revokeGrant];
