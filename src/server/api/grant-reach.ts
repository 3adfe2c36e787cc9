import type { GrantRecord } from '../store/index.ts';

/**
 * Which devices a grant reaches, decided in memory for the live push. The
 * same rule as the store's grantsForDevice (which a device's pull uses): a
 * grant for the device itself; else, at the device's school, a grant for its
 * student or for a group its student is in.
 */

export interface DeviceReach {
  readonly deviceId: string;
  readonly schoolId: string | null;
  readonly studentId: string | null;
  readonly groups: ReadonlySet<string>;
}

export function grantReaches(record: Pick<GrantRecord, 'schoolId' | 'audience' | 'groups'>, reach: DeviceReach): boolean {
  const { audience } = record;
  if (audience.kind === 'device') return audience.deviceId === reach.deviceId;
  if (reach.schoolId === null || reach.studentId === null || record.schoolId !== reach.schoolId) return false;
  if (audience.kind === 'student') return audience.studentId === reach.studentId;
  return record.groups.some((group) => reach.groups.has(group));
}
