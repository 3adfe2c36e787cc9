import { forbidden, HttpError, notFound } from '../http/http-error.ts';
import type { School, User } from '../store/index.ts';
import type { ApiContext } from './context.ts';

/**
 * Which school a request is about. A user tied to a school (every teacher,
 * most leaders) only ever sees that school; an admin or a foundation-wide
 * leader names one, or sees all where a listing allows it.
 */

/** The school to list for: the user's own, the one asked for, or undefined for "every school". */
export function schoolFilter(user: User, requested: string | undefined): string | undefined {
  if (user.schoolId === null) return requested;
  if (requested !== undefined && requested !== user.schoolId) throw forbidden(`You can only see school "${user.schoolId}".`);
  return user.schoolId;
}

/** Exactly one school: the user's own, or the one a user over every school must name. */
export async function oneSchool(api: ApiContext, user: User, requested: string | undefined, field = 'query.school'): Promise<School> {
  const id = schoolFilter(user, requested);
  if (id === undefined) {
    const all = await api.store.schools();
    // With one school there is nothing to choose, which keeps a single-school server simple.
    if (all.length === 1) return all[0]!;
    throw new HttpError(400, 'invalid-request', 'Name the school: this server has several.', { issues: [{ path: field, message: 'is required (name the school)' }] });
  }
  const school = await api.store.school(id);
  if (school === null) throw notFound(`There is no school "${id}".`);
  return school;
}

/** A record of another school is "not found" to a user tied to one school: its existence is none of their business. */
export function assertSameSchool(user: User, schoolId: string | null, what: string): void {
  if (user.schoolId !== null && schoolId !== user.schoolId) throw notFound(`There is no ${what} here.`);
}
