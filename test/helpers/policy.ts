import { readFileSync } from 'node:fs';
import type { Category } from '../../src/core/categories.ts';
import { parseGrant, type Grant, type GrantInput } from '../../src/core/grants/grant.ts';
import type { CatalogView } from '../../src/core/policy/decide.ts';
import { PolicySchema, type Policy } from '../../src/core/policy/schema.ts';
import type { Lesson } from '../../src/core/timetable/lesson.ts';
import { localToInstant } from '../../src/core/time/zoned.ts';

export const svokPolicy: Policy = PolicySchema.parse(
  JSON.parse(readFileSync(new URL('../../resources/policy/svok.json', import.meta.url), 'utf8')),
);

/** A small catalog with one service per category, enough to see services and domains flow through. */
export function smallCatalog(): CatalogView {
  const services: { id: string; category: Category; domains: string[] }[] = [
    { id: 'instagram', category: 'social', domains: ['cdninstagram.com', 'instagram.com'] },
    { id: 'tiktok', category: 'social', domains: ['tiktok.com'] },
    { id: 'youtube', category: 'video', domains: ['youtube.com'] },
    { id: 'obs', category: 'screen-recording', domains: [] },
    { id: 'cheese', category: 'camera', domains: [] },
  ];
  return {
    servicesIn: (categories) => services.filter((s) => categories.includes(s.category)),
    domainsOf: (ids) => [...new Set(services.filter((s) => ids.includes(s.id)).flatMap((s) => s.domains))].sort(),
  };
}

/** An Amsterdam wall-clock time as an instant: ams('2026-11-23 08:30'). */
export function ams(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})$/.exec(text);
  if (!m) throw new Error(`bad test time ${text}`);
  const [, y, mo, d, h, mi] = m.map(Number) as [number, number, number, number, number, number];
  return localToInstant({ year: y, month: mo, day: d, hour: h, minute: mi, second: 0 }, 'Europe/Amsterdam');
}

/** The one lesson builder of the tests: a 50-minute Dutch lesson of Jansen's unless told otherwise. */
export function lesson(overrides: Partial<Lesson> & { start: number }): Lesson {
  return {
    uid: 'les-1',
    end: overrides.start + 50 * 60_000,
    subject: 'ne',
    groups: ['v4.ne2'],
    teachers: ['JNS'],
    location: 'b104',
    cancelled: false,
    online: false,
    ...overrides,
  };
}

/** Jansen's exception for social media in `lesson` ("ne-1" on Monday 23 November by default), as decide() tests use it. */
export function jansenGrant(lesson: Pick<Lesson, 'uid' | 'start' | 'end'>, overrides: Partial<GrantInput> = {}): Grant {
  return parseGrant({
    id: 'g1',
    issuedBy: { username: 'jjansen', role: 'teacher', teacherCode: 'JNS' },
    reason: 'Instagram-posts analyseren voor Nederlands',
    scope: { kind: 'lesson', lessonUid: lesson.uid, lessonStart: lesson.start },
    allow: { categories: ['social'] },
    issuedAt: ams('2026-11-23 08:35'),
    expiresAt: lesson.end,
    ...overrides,
  });
}
