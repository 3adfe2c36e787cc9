import { notFound } from '../../http/http-error.ts';
import type { GrantRecord, User } from '../../store/index.ts';
import type { ApiContext } from '../context.ts';
import { teaches } from './authority.ts';

/**
 * Which grants a user may see and revoke: a leader those of their school
 * (or any, over every school); a teacher those they issued or that are for a
 * lesson they teach. Anything else is "not found", not "forbidden": whether
 * another teacher's grant exists is none of their business.
 */
export async function grantFor(api: ApiContext, user: User, id: string): Promise<GrantRecord> {
  const record = await api.store.grant(id);
  const missing = notFound(`There is no grant "${id}" you can see.`);
  if (record === null) throw missing;
  if (user.role === 'admin') throw missing;
  if (user.schoolId !== null && record.schoolId !== user.schoolId) throw missing;
  if (user.role === 'leader' || record.grant.issuedBy.username === user.username) return record;
  const { scope } = record.grant;
  if (scope.kind !== 'lesson') throw missing;
  const lesson = await api.store.lesson(record.schoolId, scope.lessonUid, scope.lessonStart);
  if (lesson === null || !teaches(user.teacherCode, lesson)) throw missing;
  return record;
}
