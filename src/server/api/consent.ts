import { consentsNeeded, parseSchoolYear, schoolYearOf, type ConsentNeed } from '../../core/policy/consent.ts';
import { blockRules } from '../../core/policy/schema.ts';
import type { ConsentInterval } from '../../core/protocol/signed-payloads.ts';
import { DEFAULT_TIME_ZONE } from '../../core/time/zoned.ts';
import type { GrantRecord, TimeRange } from '../store/index.ts';
import type { ApiContext } from './context.ts';

/**
 * The consent register (art. III.B.9) as the API uses it: the intervals
 * signed into a student's schedule, and how many students an exception
 * reaches without the consent it needs (an exception then lifts nothing for
 * them: the laptop checks the signed intervals).
 */

/** The register the portal's "social media" box needs (policy III.A.1 → III.B.9). */
export const SOCIAL_MEDIA_REGISTER = 'social-media';

/** Every register the policy's rules name, once, in policy order. */
export function policyRegisters(api: Pick<ApiContext, 'policy'>): ConsentNeed[] {
  const needs = new Map<string, ConsentNeed>();
  for (const rule of blockRules(api.policy)) {
    const consent = rule.exceptions?.consent;
    if (consent && !needs.has(consent.register)) needs.set(consent.register, { register: consent.register, article: consent.article });
  }
  return [...needs.values()];
}

/** The student's consents as intervals (1 August to 1 August, school time) that overlap `range`. */
export async function consentIntervals(
  api: Pick<ApiContext, 'store'>, schoolId: string, studentId: string, timeZone: string, range: TimeRange,
): Promise<ConsentInterval[]> {
  const intervals: ConsentInterval[] = [];
  for (const consent of await api.store.consents({ schoolId, studentId })) {
    const year = parseSchoolYear(consent.schoolYear, timeZone);
    if (year === undefined || year.to <= range.from || year.from >= range.to) continue;
    intervals.push({ register: consent.register, from: year.from, to: year.to });
  }
  return intervals;
}

/** The students a grant reaches now (as the store's devicesExpected counts them), sorted. */
export async function studentsReached(api: Pick<ApiContext, 'store'>, record: GrantRecord): Promise<string[]> {
  const { audience, schoolId } = record;
  if (audience.kind === 'student') return [audience.studentId];
  if (audience.kind === 'device') {
    const device = await api.store.device(audience.deviceId);
    return device?.studentId != null && device.schoolId === schoolId ? [device.studentId] : [];
  }
  const ids = new Set<string>();
  for (const group of record.groups) for (const student of await api.store.studentsInGroup(schoolId, group)) ids.add(student.id);
  return [...ids].sort();
}

export interface GrantConsent {
  /** The registers the grant's allowances need (none: consent plays no part). */
  readonly needs: readonly ConsentNeed[];
  /** "2026-2027": the school year of the moment judged (now, within the grant's effect). */
  readonly schoolYear: string;
  /** Of the students asked about, those lacking any register the grant needs. */
  readonly without: ReadonlySet<string>;
}

/**
 * Which of `studentIds` lack a consent the grant needs, for the school year
 * of now (or of the grant's start or end when now is outside it).
 */
export async function grantConsent(api: ApiContext, record: GrantRecord, studentIds: readonly string[], now: number): Promise<GrantConsent> {
  const needs = consentsNeeded(record.grant.allow, api.policy, api.catalog);
  const timeZone = (await api.store.school(record.schoolId))?.timeZone ?? DEFAULT_TIME_ZONE;
  const at = Math.min(Math.max(now, record.startsAt), Math.max(record.startsAt, record.grant.expiresAt - 1));
  const schoolYear = schoolYearOf(at, timeZone).label;
  const without = new Set<string>();
  for (const need of needs) {
    for (const id of await api.store.studentsWithoutConsent(record.schoolId, studentIds, need.register, schoolYear)) without.add(id);
  }
  return { needs, schoolYear, without };
}
