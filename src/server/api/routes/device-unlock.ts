import type { Lesson } from '../../../core/timetable/lesson.ts';
import { liftsAnything, consentsNeeded } from '../../../core/policy/consent.ts';
import { DEFAULT_TIME_ZONE } from '../../../core/time/zoned.ts';
import { conflict, forbidden, HttpError } from '../../http/http-error.ts';
import { consentIntervals } from '../consent.ts';
import type { Device, User } from '../../store/index.ts';
import type { ApiContext } from '../context.ts';
import { signedGrantFor } from '../device-delivery.ts';
import { teaches } from '../grants/authority.ts';
import { issueGrant } from '../grants/issue-grant.ts';
import { checkPassword } from '../password-check.ts';
import { defineRoute, DEVICE, type AnyRoute } from '../route.ts';
import { UnlockBody } from '../schemas/devices.ts';
import { SignedDeviceGrantSchema } from '../schemas/signed.ts';

/**
 * A teacher unlocks at the student's laptop (`lesmodus agent unlock`, later
 * the tray): the laptop sends the teacher's password with its own device
 * credential, so the grant can only be for the lesson this laptop's student
 * is in now, and only by someone who teaches it (or a leader of the school).
 */

/** The lesson in progress for the laptop's student that this user may grant for. */
async function lessonNow(api: ApiContext, device: Device, user: User, now: number): Promise<Lesson> {
  if (device.schoolId === null || device.studentId === null) {
    throw conflict('This laptop is not assigned to a student yet; ask the administrator to assign it, or grant from the teacher portal.');
  }
  if (user.schoolId !== null && user.schoolId !== device.schoolId) throw forbidden('This laptop belongs to another school.');
  const lessons = (await api.store.lessonsOfStudent(device.schoolId, device.studentId, { from: now, to: now + 1 }))
    .filter((l) => !l.cancelled && l.start <= now && now < l.end);
  if (lessons.length === 0) throw conflict('The student has no lesson now; an exception on the laptop is for the lesson in progress.');
  if (user.role === 'leader') return lessons[0]!;
  const taught = lessons.find((l) => teaches(user.teacherCode, l));
  if (taught === undefined) throw forbidden(`You do not teach the lesson this student is in now (${lessons.map((l) => l.teachers.join('/')).join(', ')}).`);
  return taught;
}

const unlock = defineRoute({
  method: 'POST',
  path: '/api/v1/device/unlock',
  tag: 'device',
  summary: "A teacher at the student's laptop grants an exception for this laptop for the lesson in progress, with their own password.",
  description: 'The password is checked as a login is (rate limited per username and address). The grant reaches this device only, '
    + 'lasts until the end of the lesson (or an earlier expiresAt) and appears in the exception log like any other. '
    + '409 when the student has no lesson now or the laptop is not assigned; 403 when the user does not teach that lesson.',
  access: DEVICE,
  body: UnlockBody,
  reply: { kind: 'json', status: 201, schema: SignedDeviceGrantSchema, description: 'The grant, signed for this device.' },
  async handle({ principal, body, scope }, api) {
    const { device } = principal;
    // The laptop's address and the username together: one laptop cannot guess a teacher's password.
    const user = await checkPassword(api, body.username, body.password, `${scope.address}/${device.id}`, scope.now);
    if (user.role !== 'teacher' && user.role !== 'leader') throw forbidden('Only teachers and school leaders grant exceptions.');
    const lesson = await lessonNow(api, device, user, scope.now);
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
