import { randomUUID } from 'node:crypto';
import type { FieldIssue } from '../../../core/events/parse.ts';
import { GrantSchema, type Grant, type GrantRole } from '../../../core/grants/grant.ts';
import type { Lesson } from '../../../core/timetable/lesson.ts';
import { forbidden, HttpError, invalidRequest, notFound } from '../../http/http-error.ts';
import type { GrantAudience, GrantIdempotency, GrantRecord, School, User } from '../../store/index.ts';
import type { ApiContext } from '../context.ts';
import { oneSchool } from '../school-scope.ts';
import type { CreateGrantBody } from '../schemas/grants.ts';
import { ISSUED_GRANT_TYPE } from '../schemas/signed.ts';
import { articlesFor } from './articles.ts';
import { teaches } from './authority.ts';

/**
 * Making an exception: who may (a teacher for a lesson they teach, a leader
 * for anything at their school), for how long (never past the lesson or
 * window), what it rests on (the policy's exception articles), then signed,
 * stored and pushed to the devices it reaches.
 */

/**
 * The longest time window a leader can grant in one go. A project or exam
 * period fits; a standing exception for a whole year should be a policy
 * change, not a grant nobody remembers.
 */
export const MAX_WINDOW_MS = 120 * 24 * 3_600_000;

function bad(path: string, message: string, nl: string): HttpError {
  return invalidRequest([{ path, message }], nl);
}

function roleOf(user: User): GrantRole {
  if (user.role === 'teacher' || user.role === 'leader') return user.role;
  throw forbidden('Only teachers and school leaders grant exceptions.', 'Alleen docenten en de schoolleiding geven uitzonderingen.');
}

interface Plan {
  readonly school: School;
  readonly lesson: Lesson | null;
  readonly audience: GrantAudience;
  readonly expiresAt: number;
}

async function lessonFor(api: ApiContext, school: School, scope: Extract<CreateGrantBody['scope'], { kind: 'lesson' }>, now: number): Promise<Lesson> {
  const lesson = await api.store.lesson(school.id, scope.lessonUid, scope.lessonStart);
  if (lesson === null) throw notFound(`There is no lesson ${scope.lessonUid} starting at ${new Date(scope.lessonStart).toISOString()} at school "${school.id}".`);
  if (lesson.cancelled) throw bad('body.scope', 'the lesson is cancelled', 'Deze les is vervallen.');
  if (lesson.end <= now) throw bad('body.scope', 'the lesson has ended', 'Deze les is al afgelopen.');
  return lesson;
}

/** Whom it reaches, checked against the roster so a typo is a 400 instead of an exception that reaches nobody. */
async function checkAudience(api: ApiContext, school: School, audience: GrantAudience): Promise<void> {
  const issues: FieldIssue[] = [];
  if (audience.kind === 'groups') {
    const known = new Set((await api.store.groups(school.id)).map((g) => g.code));
    audience.groups.forEach((g, i) => {
      if (!known.has(g)) issues.push({ path: `body.audience.groups[${i}]`, message: `there is no group "${g}" at school "${school.id}"` });
    });
  } else if (audience.kind === 'student') {
    if ((await api.store.student(school.id, audience.studentId)) === null) {
      issues.push({ path: 'body.audience.studentId', message: `there is no student "${audience.studentId}" at school "${school.id}"` });
    }
  } else if (audience.kind === 'device') {
    const device = await api.store.device(audience.deviceId);
    if (device === null || device.schoolId !== school.id) {
      issues.push({ path: 'body.audience.deviceId', message: `there is no device "${audience.deviceId}" at school "${school.id}"` });
    }
  }
  if (issues.length > 0) throw invalidRequest(issues);
}

function expiryWithin(requested: number | undefined, end: number, now: number, what: string): number {
  if (requested === undefined) return end;
  if (requested <= now) throw bad('body.expiresAt', 'must be in the future', 'De eindtijd (Tot) is al voorbij; kies een tijd later dan nu.');
  if (requested > end) throw bad('body.expiresAt', `must not be after the end of the ${what}`, `De eindtijd (Tot) valt na het einde van ${what === 'lesson' ? 'de les' : 'de periode'}.`);
  return requested;
}

/** Where the grant is asked for: the portal, or a teacher at a student's laptop (who may then grant that one device). */
export interface GrantOrigin {
  readonly atDevice?: string;
}

async function plan(api: ApiContext, user: User, role: GrantRole, body: CreateGrantBody, now: number, origin: GrantOrigin): Promise<Plan> {
  const school = await oneSchool(api, user, body.schoolId, 'body.schoolId');
  if (body.scope.kind === 'lesson') {
    const lesson = await lessonFor(api, school, body.scope, now);
    if (role === 'teacher') {
      if (!teaches(user.teacherCode, lesson)) throw forbidden(`You can only grant for lessons you teach; ${user.teacherCode ?? 'your code'} is not on this lesson.`,
        `U kunt alleen een uitzondering geven voor lessen die u zelf geeft; ${user.teacherCode ?? 'uw docentcode'} staat niet bij deze les.`);
      const thisLaptop = body.audience?.kind === 'device' && body.audience.deviceId === origin.atDevice;
      if (body.audience !== undefined && body.audience.kind !== 'lesson' && !thisLaptop) throw forbidden('A teacher grants for the whole lesson; ask a school leader for a group, student or device.', 'Een docent geeft een uitzondering voor de hele les; vraag de schoolleiding voor een klas, leerling of apparaat.');
    }
    const audience = body.audience ?? { kind: 'lesson' };
    await checkAudience(api, school, audience);
    return { school, lesson, audience, expiresAt: expiryWithin(body.expiresAt, lesson.end, now, 'lesson') };
  }
  if (role === 'teacher') throw forbidden('A teacher grants for a lesson they teach; time windows are for school leaders.', 'Een docent geeft uitzonderingen per les; een periode regelt de schoolleiding.');
  const { start, end } = body.scope;
  if (end <= now) throw bad('body.scope.end', 'the window has ended', 'Deze periode is al voorbij.');
  if (end - start > MAX_WINDOW_MS) throw bad('body.scope.end', `a window lasts at most ${MAX_WINDOW_MS / 86_400_000} days`, `Een periode duurt hoogstens ${MAX_WINDOW_MS / 86_400_000} dagen.`);
  if (body.audience === undefined || body.audience.kind === 'lesson') throw bad('body.audience', 'a time window needs groups, a student or a device', 'Kies voor een periode klassen, een leerling of een apparaat.');
  await checkAudience(api, school, body.audience);
  return { school, lesson: null, audience: body.audience, expiresAt: expiryWithin(body.expiresAt, end, now, 'window') };
}

export async function issueGrant(api: ApiContext, user: User, body: CreateGrantBody, now: number, origin: GrantOrigin = {}): Promise<GrantRecord> {
  return (await issueGrantOnce(api, user, body, now, origin)).record;
}

/**
 * As issueGrant, with an Idempotency-Key: when the store finds the key (this
 * user, same request, within 24 hours; also a request racing this one) it
 * answers the grant made then, `replayed`, and nothing is stored or pushed.
 */
export async function issueGrantOnce(api: ApiContext, user: User, body: CreateGrantBody, now: number, origin: GrantOrigin = {},
  idempotency?: Omit<GrantIdempotency, 'username'>): Promise<{ record: GrantRecord; replayed: boolean }> {
  const role = roleOf(user);
  const verdict = articlesFor(body.allow, role, api.policy, api.catalog);
  if (verdict.issues.length > 0) throw invalidRequest(verdict.issues.map((i) => ({ ...i, path: `body.${i.path}` })));
  if (verdict.refused.length > 0) throw forbidden(`A ${role} may not lift ${verdict.refused.join(', ')}.`, `${role === 'teacher' ? 'Een docent' : 'De schoolleiding'} mag dit niet toestaan: ${verdict.refused.join(', ')}.`);
  const { school, audience, expiresAt } = await plan(api, user, role, body, now, origin);

  const grant: Grant = GrantSchema.parse({
    id: randomUUID(),
    issuedBy: {
      username: user.username,
      ...(user.displayName !== null ? { name: user.displayName } : {}),
      role,
      ...(role === 'teacher' && user.teacherCode !== null ? { teacherCode: user.teacherCode } : {}),
    },
    reason: body.reason,
    scope: body.scope,
    allow: body.allow,
    issuedAt: now,
    expiresAt,
  });
  const articles = [...verdict.articles];
  const signed = JSON.stringify(api.signer.sign({ type: ISSUED_GRANT_TYPE, schoolId: school.id, grant, articles, audience }));
  const key = idempotency === undefined ? undefined : { ...idempotency, username: user.username };
  const { status, record } = await api.store.createGrant({ schoolId: school.id, grant, signed, articles, audience }, now, key);
  if (status === 'replayed') return { record, replayed: true };
  api.laptops.publish({ kind: 'grant', record });
  return { record, replayed: false };
}
