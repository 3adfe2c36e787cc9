import type { Signed } from '../../adapters/signing.ts';
import { addDays, DEFAULT_TIME_ZONE, instantToLocal, localToInstant } from '../../core/time/zoned.ts';
import type { Device, GrantRecord } from '../store/index.ts';
import { consentIntervals } from './consent.ts';
import type { ApiContext } from './context.ts';
import type { DeviceReach } from './grant-reach.ts';
import { DEVICE_GRANT_TYPE, SCHEDULE_TYPE, type DeviceGrantPayload, type SchedulePayload } from '../../core/protocol/index.ts';

/** What a device receives, signed for that one device: its grants and its schedule. */

/** The schedule covers this many days, so a laptop offline for two weeks keeps enforcing the right lessons. */
export const SCHEDULE_DAYS = 14;

export function signedGrantFor(api: ApiContext, record: GrantRecord, deviceId: string, now: number): Signed<DeviceGrantPayload> {
  return api.signer.sign<DeviceGrantPayload>({
    type: DEVICE_GRANT_TYPE,
    deviceId,
    schoolId: record.schoolId,
    grant: record.grant,
    articles: [...record.articles],
    audience: record.audience.kind === 'groups' ? { kind: 'groups', groups: [...record.audience.groups] } : record.audience,
    signedAt: now,
  });
}

/**
 * From the start of today (school time) for SCHEDULE_DAYS days: today's earlier lessons are included, so "now" is always inside.
 * With the student's consents (art. III.B.9) whose school year overlaps it.
 */
export async function signedScheduleFor(api: ApiContext, device: Device, now: number): Promise<Signed<SchedulePayload>> {
  const school = device.schoolId === null ? null : await api.store.school(device.schoolId);
  const timeZone = school?.timeZone ?? DEFAULT_TIME_ZONE;
  const today = instantToLocal(now, timeZone);
  const date = { year: today.year, month: today.month, day: today.day };
  const from = localToInstant(date, timeZone);
  const to = localToInstant(addDays(date, SCHEDULE_DAYS), timeZone);
  const lessons = school === null || device.studentId === null ? [] : await api.store.lessonsOfStudent(school.id, device.studentId, { from, to });
  // Art. III.B.9: the student's registered consents, so the laptop lets an exception lift social media only for those who gave it.
  // Always present (this server keeps the register): empty when the student has none or the device has no student.
  const consents = school === null || device.studentId === null ? [] : await consentIntervals(api, school.id, device.studentId, timeZone, { from, to });
  return api.signer.sign<SchedulePayload>({
    type: SCHEDULE_TYPE,
    deviceId: device.id,
    schoolId: device.schoolId,
    studentId: device.studentId,
    timeZone,
    from,
    to,
    lessons,
    consents,
    // Which catalog to have: a laptop with another one fetches it (GET /api/v1/device/catalog).
    catalog: { version: api.signedCatalog.payload.version, sha256: api.signedCatalog.payload.sha256 },
    signedAt: now,
  });
}

/** What decides which grants reach the device: its school, its student and the student's groups, now. */
export async function reachOf(api: ApiContext, device: Device): Promise<DeviceReach> {
  const groups = device.schoolId === null || device.studentId === null ? [] : await api.store.groupsOfStudent(device.schoolId, device.studentId);
  return { deviceId: device.id, schoolId: device.schoolId, studentId: device.studentId, groups: new Set(groups) };
}
