import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { conflict, invalidRequest } from '../../http/http-error.ts';
import { defineRoute, users, type AnyRoute, type RequestScope } from '../route.ts';
import { grantFor } from '../grants/grant-access.ts';
import { issueGrantOnce } from '../grants/issue-grant.ts';
import { teaches } from '../grants/authority.ts';
import { schoolFilter } from '../school-scope.ts';
import { IdParams, InstantParam, PageQuery, pageOf, text } from '../schemas/common.ts';
import { CreateGrantBody, ExceptionPageSchema, GrantSummarySchema, GrantViewSchema, RevokeGrantBody } from '../schemas/grants.ts';
import { EXCEPTION_STATUSES, ServerStoreError, type ExceptionLogFilter } from '../../store/index.ts';
import { grantConsent, studentsReached } from '../consent.ts';
import { grantView } from '../views.ts';
import { servicesOf } from '../context.ts';
import * as grantService from '../../services/grants.ts';

/** The teacher portal's grants: make one, list them, see how many devices applied it, revoke it. Leaders may do the same. */

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
export const IdempotencyKeySchema = z.string().regex(/^[A-Za-z0-9_-]{1,128}$/);

/** The request's Idempotency-Key, undefined without one; a 400 naming the header when it is malformed (or sent twice). */
export function idempotencyKeyOf(req: IncomingMessage): string | undefined {
  const value = req.headers['idempotency-key'];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !IdempotencyKeySchema.safeParse(value).success) {
    throw invalidRequest([{ path: `headers.${IDEMPOTENCY_KEY_HEADER}`, message: 'must be 1 to 128 characters of A-Z, a-z, 0-9, _ and - (send it once)' }]);
  }
  return value;
}

/** JSON with object keys sorted, so the same body hashes the same whatever order its keys came in. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** What makes two requests under one key "the same": the validated body (defaults filled in). */
export function requestHashOf(body: unknown): string {
  return createHash('sha256').update(canonical(body)).digest('hex');
}

const KEY_REUSED = 'This Idempotency-Key was used for another exception; make a new key for a new request.';

function replayed(scope: RequestScope): void {
  scope.status = 200;
  scope.headers['idempotent-replayed'] = 'true';
}

const createGrant = defineRoute({
  method: 'POST',
  path: '/api/v1/grants',
  tag: 'grants',
  summary: 'Grants an exception: a teacher for a lesson they teach, a leader for any lesson, group, student, device or time window.',
  description: 'A reason (the educational purpose) is required. It expires at the end of the lesson or window unless an earlier expiresAt is given. '
    + 'The grant is signed with the server key and pushed to the devices it reaches at once.\n\n'
    + `Retrying safely: send an \`${IDEMPOTENCY_KEY_HEADER}\` header (1–128 characters of A-Z, a-z, 0-9, _ and -; a fresh UUID per exception `
    + 'the user means to make) and send the same key again when the answer was lost. Within 24 hours, the same user with the same key and '
    + 'the same body gets the grant made the first time — status 200 instead of 201, with `Idempotent-Replayed: true` — and no second '
    + 'exception is stored or pushed, also when both requests arrive at once. The same key with another body is 409. Keys of different '
    + 'users never collide. A malformed key is 400.',
  access: users('teacher', 'leader'),
  body: CreateGrantBody,
  requestHeaders: [{
    name: IDEMPOTENCY_KEY_HEADER,
    description: 'Optional. One per exception the user means to make (e.g. a UUID); a retry with it within 24 hours returns the first answer instead of making a second exception.',
    schema: IdempotencyKeySchema,
  }],
  otherReplies: {
    200: 'A retry with an Idempotency-Key already used by this user for the same request: the grant made then (header Idempotent-Replayed: true); nothing new was stored.',
    409: 'The Idempotency-Key was used by this user for another exception within the last 24 hours.',
  },
  reply: { kind: 'json', status: 201, schema: GrantViewSchema, description: 'The grant as stored and signed.' },
  async handle({ principal, body, scope }, api) {
    const key = idempotencyKeyOf(scope.req);
    if (key === undefined) return grantView((await issueGrantOnce(api, principal.user, body, scope.now)).record, scope.now);
    const requestHash = requestHashOf(body);
    // A retry is answered before anything is checked again: the lesson may have ended since the first try.
    const earlier = await api.store.grantByIdempotencyKey(principal.user.username, key, scope.now);
    if (earlier !== null) {
      if (earlier.requestHash !== requestHash) throw conflict(KEY_REUSED);
      replayed(scope);
      return grantView(earlier.record, scope.now);
    }
    try {
      const result = await issueGrantOnce(api, principal.user, body, scope.now, {}, { key, requestHash });
      if (result.replayed) replayed(scope);
      return grantView(result.record, scope.now);
    } catch (error) {
      if (error instanceof ServerStoreError && error.code === 'conflict' && /Idempotency-Key was used/.test(error.message)) throw conflict(KEY_REUSED);
      throw error;
    }
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
    return grantView(await grantService.revokeGrant(servicesOf(api), principal.user, record, scope.now), scope.now);
  },
});

export const grantRoutes: readonly AnyRoute[] = [createGrant, listGrants, grantSummary, revokeGrant];
