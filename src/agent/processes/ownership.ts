import type { UidRange } from './types.ts';

/**
 * Whose processes the guard acts on: the student's uid, 'any' (a daemon meant
 * to stop every user's apps, and Windows, where there are no uids), or null
 * when no student is known (then nobody's).
 */
export type Owner = number | 'any' | null;

/**
 * Whether a process with real uid `uid` is the student's: their own uid, or
 * one of their subordinate uids (/etc/subuid), which they can run programs as
 * inside a user namespace. A process whose owner cannot be told is not,
 * unless the owner is 'any'.
 */
export function ownedBy(owner: Owner, subordinateUids: readonly UidRange[] = []): (uid: number | undefined) => boolean {
  if (owner === null) return () => false;
  if (owner === 'any') return () => true;
  return (uid) => uid === owner || (uid !== undefined && subordinateUids.some((r) => uid >= r.start && uid < r.start + r.count));
}
