import type { Lesson } from '../../../core/timetable/lesson.ts';
import { liftsAnything, consentsNeeded } from '../../../core/policy/consent.ts';
import { DEVICE_PATHS, SignedDeviceGrantSchema, UnlockBody } from '../../../core/protocol/index.ts';
import { DEFAULT_TIME_ZONE } from '../../../core/time/zoned.ts';
import { conflict, HttpError, unauthenticated } from '../../http/http-error.ts';
import { codeOwner } from '../../services/unlock-codes.ts';
import { consentIntervals } from '../consent.ts';
import type { Device, User } from '../../store/index.ts';
import type { ApiContext } from '../context.ts';
import { signedGrantFor } from '../device-delivery.ts';
import { teaches } from '../grants/authority.ts';
import { issueGrant } from '../grants/issue-grant.ts';
import { defineRoute, DEVICE, type AnyRoute } from '../route.ts';

/**
 * A teacher unlocks at the student's laptop (the tray, or `lesmodus agent
 * unlock --code`): the laptop sends the six-digit code the teacher's portal
 * shows for the lesson (never a password: the student's session could
 * capture that) with its own device credential. So the grant can only be for
 * the lesson this laptop's student is in now, by the teacher (or leader)
 * whose code it is, and only for this laptop.
 */

/**
 * Wrong codes are limited like logins (see LoginGuard), with the lesson as
 * the account and the laptop as the client: per lesson and laptop, and per
 * lesson across laptops — a device enrolled anew (anyone with the school's
 * enrollment secret can make one) starts no fresh count for the lesson. A
 * lesson under attack refuses even the right code for a while; the teacher
 * can still grant from the portal.
 */
const deviceKey = (device: Device) => `unlock-code:${device.id}`;
const lessonKey = (lesson: Lesson) => `lesson:${lesson.uid}@${lesson.start}`;

/** The lessons in progress for the laptop's student. */
async function lessonsNow(api: ApiContext, device: Device, now: number): Promise<Lesson[]> {
  if (device.schoolId === null || device.studentId === null) {
    throw conflict('This laptop is not assigned to a student yet; ask the administrator to assign it, or grant from the teacher portal.');
  }
  const lessons = (await api.store.lessonsOfStudent(device.schoolId, device.studentId, { from: now, to: now + 1 }))
    .filter((l) => !l.cancelled && l.start <= now && now < l.end);
  if (lessons.length === 0) throw conflict('The student has no lesson now; an exception on the laptop is for the lesson in progress.');
  return lessons;
}

/** Whose code it is, among the teachers of the lesson and the school's leaders, and for which lesson; null when nobody's. */
async function codeOwnerOf(api: ApiContext, device: Device, lessons: readonly Lesson[], code: string, now: number): Promise<{ user: User; lesson: Lesson } | null> {
  const people = (await api.store.users()).filter((u) => u.schoolId === device.schoolId && (u.role === 'leader' || u.role === 'teacher'));
  for (const lesson of lessons) {
    const may = people.filter((u) => u.role === 'leader' || teaches(u.teacherCode, lesson));
    const owner = codeOwner(api.signer.codeKey, lesson, may.map((u) => u.username), code, now);
    if (owner !== null) return { user: may.find((u) => u.username === owner)!, lesson };
  }
  return null;
}

const unlock = defineRoute({
  method: 'POST',
  path: DEVICE_PATHS.unlock,
  tag: 'device',
  summary: "A teacher at the student's laptop grants an exception for this laptop for the lesson in progress, with the unlock code from their portal.",
  description: 'The code (GET /api/v1/unlock-code) must be one of a teacher of the lesson this laptop\'s student is in now, or of a leader of the school, '
    + 'and current; wrong codes are rate limited per laptop and per lesson. The grant reaches this device only, lasts until the end of the lesson '
    + '(or an earlier expiresAt) and appears in the exception log like any other, made by the code\'s teacher. '
    + '409 when the student has no lesson now or the laptop is not assigned; 401 for a wrong or expired code.',
  access: DEVICE,
  body: UnlockBody,
  reply: { kind: 'json', status: 201, schema: SignedDeviceGrantSchema, description: 'The grant, signed for this device.' },
  async handle({ principal, body, scope }, api) {
    const { device } = principal;
    const lessons = await lessonsNow(api, device, scope.now);
    const wait = await api.loginGuard.retryAfter(lessonKey(lessons[0]!), deviceKey(device), scope.now);
    if (wait > 0) throw new HttpError(429, 'too-many-requests', `Too many wrong codes on this laptop; try again in ${Math.ceil(wait / 60_000)} minute(s).`, { headers: { 'retry-after': String(Math.ceil(wait / 1000)) } });
    const owned = await codeOwnerOf(api, device, lessons, body.code, scope.now);
    if (owned === null) {
      await api.loginGuard.failed(lessonKey(lessons[0]!), deviceKey(device), scope.now);
      throw unauthenticated('This code is not (or no longer) valid for the lesson in progress; get the current one in the teacher portal.');
    }
    const { user, lesson } = owned;
    // An exception that lifts nothing for this student (all of it waits for their consent) would only mislead the log.
    const school = await api.store.school(device.schoolId!);
    const consents = await consentIntervals(api, device.schoolId!, device.studentId!, school?.timeZone ?? DEFAULT_TIME_ZONE, { from: scope.now, to: scope.now + 1 });
    const allow = { categories: body.allow.categories, services: body.allow.services, capture: body.allow.capture };
    if (!liftsAnything(allow, api.policy, api.catalog, consents, scope.now)) {
      const articles = consentsNeeded(allow, api.policy, api.catalog).map((n) => n.article).join(', ');
      throw new HttpError(409, 'consent-missing', `This student has no consent registered for this school year (art. ${articles}); an exception would not lift the block. Register the consent first.`);
    }
    const record = await issueGrant(api, user, {
      ...(device.schoolId !== null ? { schoolId: device.schoolId } : {}),
      scope: { kind: 'lesson', lessonUid: lesson.uid, lessonStart: lesson.start },
      audience: { kind: 'device', deviceId: device.id },
      allow: body.allow,
      reason: body.reason,
      ...(body.expiresAt !== undefined ? { expiresAt: body.expiresAt } : {}),
    }, scope.now, { atDevice: device.id });
    scope.log.info('exception granted at the laptop', { grantId: record.grant.id, deviceId: device.id, by: user.username });
    return signedGrantFor(api, record, device.id, scope.now);
  },
});

export const deviceUnlockRoutes: readonly AnyRoute[] = [unlock];
