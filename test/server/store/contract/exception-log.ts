import { describe, expect, it } from 'vitest';
import type { ExceptionLogFilter, ServerStore } from '../../../../src/server/store/index.ts';
import { ams } from '../../../helpers/policy.ts';
import { DAY, deviceApplied, grantFor, HOUR, LESSON_V4A, LESSON_V4B, lesson, MINUTE, MONDAY_0830, OTHER_SCHOOL, SCHOOL, seedSchool, windowGrant } from '../fixtures.ts';
import type { Harness } from '../harness.ts';

/** Half an hour into Monday's first lesson. */
const AT = MONDAY_0830 + 30 * MINUTE;

/**
 * - a: jansen's grant for v4a's lesson, social media (III.A.1): active at AT;
 * - b: pieters' grant for v4b's next lesson, YouTube (III.A.1): revoked;
 * - c: de-vries' window grant last week for v4b, camera (III.A.3): expired;
 * - d: a grant at the other school, on Tuesday: active.
 */
async function seedLog(store: ServerStore): Promise<void> {
  await seedSchool(store);
  await store.putSchool(OTHER_SCHOOL, 1);
  await store.createGrant(grantFor('a', LESSON_V4A), 1);
  await store.createGrant(grantFor('b', LESSON_V4B, {
    issuedBy: { username: 'pieters', role: 'teacher', teacherCode: 'PTR' }, allow: { services: ['youtube'] },
  }), 1);
  await store.revokeGrant('b', { at: MONDAY_0830 + 15 * MINUTE, by: 'pieters' });
  await store.createGrant(windowGrant('c', MONDAY_0830 - 7 * DAY, MONDAY_0830 - 7 * DAY + 2 * HOUR), 1);
  await store.createGrant(windowGrant('d', MONDAY_0830 + DAY, MONDAY_0830 + DAY + HOUR, {}, { schoolId: OTHER_SCHOOL.id, audience: { kind: 'groups', groups: ['h5'] } }), 1);
  await deviceApplied(store, 'd1', 'a', MONDAY_0830 + MINUTE);
  await deviceApplied(store, 'd2', 'a', MONDAY_0830 + 2 * MINUTE);
}

async function ids(store: ServerStore, filter: Omit<ExceptionLogFilter, 'at'>): Promise<string[]> {
  return (await store.exceptionLog({ at: AT, ...filter }, { limit: 100, offset: 0 })).rows.map((r) => r.id);
}

export function exceptionLogContract(h: Harness): void {
  describe('exception log', () => {
    it('lists every exception, newest effect first, with status and devices applied', async () => {
      const store = await h.fresh();
      await seedLog(store);
      const page = await store.exceptionLog({ at: AT }, { limit: 100, offset: 0 });
      expect(page.total).toBe(4);
      expect(page.rows.map((r) => [r.id, r.status, r.devicesApplied])).toEqual([
        ['d', 'scheduled', 0], ['b', 'revoked', 0], ['a', 'active', 2], ['c', 'expired', 0],
      ]);
      expect(page.rows[2]).toMatchObject({
        schoolId: SCHOOL.id, issuedBy: { username: 'jansen', role: 'teacher', teacherCode: 'JNS' }, reason: 'Project social media in de les',
        scope: { kind: 'lesson', lessonUid: LESSON_V4A.uid, lessonStart: LESSON_V4A.start }, allow: { categories: ['social'], services: [], capture: [] },
        articles: ['III.A.1'], groups: ['v4a'], audience: { kind: 'lesson' }, startsAt: LESSON_V4A.start, expiresAt: LESSON_V4A.end, revokedAt: null,
      });
    });

    it('pages through the log with a stable order and the total of all pages', async () => {
      const store = await h.fresh();
      await seedLog(store);
      const first = await store.exceptionLog({ at: AT }, { limit: 3, offset: 0 });
      const second = await store.exceptionLog({ at: AT }, { limit: 3, offset: 3 });
      expect([first.total, second.total]).toEqual([4, 4]);
      expect([...first.rows, ...second.rows].map((r) => r.id)).toEqual(['d', 'b', 'a', 'c']);
      await expect(store.exceptionLog({ at: AT }, { limit: 0, offset: 0 })).rejects.toMatchObject({ code: 'invalid-input' });
    });

    it('filters by each field', async () => {
      const store = await h.fresh();
      await seedLog(store);
      expect(await ids(store, { from: MONDAY_0830, to: MONDAY_0830 + DAY })).toEqual(['b', 'a']);
      expect(await ids(store, { to: MONDAY_0830 })).toEqual(['c']);
      expect(await ids(store, { schoolId: OTHER_SCHOOL.id })).toEqual(['d']);
      expect(await ids(store, { groupCode: 'v4b' })).toEqual(['b', 'c']);
      expect(await ids(store, { teacherCode: 'JNS' })).toEqual(['a']);
      expect(await ids(store, { issuedBy: 'de-vries' })).toEqual(['d', 'c']);
      expect(await ids(store, { article: 'III.A.3' })).toEqual(['d', 'c']);
      expect(await ids(store, { category: 'social' })).toEqual(['a']);
      expect(await ids(store, { service: 'youtube' })).toEqual(['b']);
      // d's window starts tomorrow: scheduled, not active.
      expect(await ids(store, { status: 'scheduled' })).toEqual(['d']);
      expect(await ids(store, { status: 'active' })).toEqual(['a']);
      expect(await ids(store, { status: 'revoked' })).toEqual(['b']);
      expect(await ids(store, { status: 'expired' })).toEqual(['c']);
      expect(await ids(store, { lesson: { uid: LESSON_V4A.uid, start: LESSON_V4A.start } })).toEqual(['a']);
      expect(await ids(store, { schoolId: SCHOOL.id, article: 'III.A.1', status: 'active', groupCode: 'v4a' })).toEqual(['a']);
    });

    it('judges status at the given instant', async () => {
      const store = await h.fresh();
      await seedLog(store);
      const statusOfA = async (at: number) => (await store.exceptionLog({ at, lesson: { uid: LESSON_V4A.uid, start: LESSON_V4A.start } }, { limit: 1, offset: 0 })).rows[0]?.status;
      // Made before its lesson: scheduled (Gepland) until the lesson starts, never "active" before then.
      expect(await statusOfA(LESSON_V4A.start - 1)).toBe('scheduled');
      expect(await statusOfA(LESSON_V4A.start)).toBe('active');
      expect(await statusOfA(LESSON_V4A.end - 1)).toBe('active');
      expect(await statusOfA(LESSON_V4A.end)).toBe('expired');
      const filtered = async (at: number, status: 'scheduled' | 'active') => (await store.exceptionLog({ at, status, lesson: { uid: LESSON_V4A.uid, start: LESSON_V4A.start } }, { limit: 1, offset: 0 })).total;
      expect([await filtered(LESSON_V4A.start - 1, 'scheduled'), await filtered(LESSON_V4A.start - 1, 'active')]).toEqual([1, 0]);
      expect([await filtered(LESSON_V4A.start, 'scheduled'), await filtered(LESSON_V4A.start, 'active')]).toEqual([0, 1]);
    });

    it('exports every row of a large filtered log, in the order of the pages', async () => {
      const store = await h.fresh();
      await seedSchool(store);
      const lessons = Array.from({ length: 520 }, (_, i) => lesson({ uid: `export-${i}`, start: MONDAY_0830 + DAY + (i % 7) * HOUR + Math.floor(i / 7) * 7 * DAY }));
      await store.replaceLessons(SCHOOL.id, { from: MONDAY_0830 + DAY, to: MONDAY_0830 + 200 * 7 * DAY }, lessons);
      for (const [i, l] of lessons.entries()) await store.createGrant(grantFor(`g-${String(i).padStart(3, '0')}`, l), 1);
      const exported: string[] = [];
      for await (const row of store.exportExceptionLog({ at: AT, teacherCode: 'JNS' })) exported.push(row.id);
      const paged = (await store.exceptionLog({ at: AT, teacherCode: 'JNS' }, { limit: 1_000, offset: 0 })).rows.map((r) => r.id);
      expect(exported).toHaveLength(520);
      expect(exported).toEqual(paged);
    });

    it('counts exceptions per week (Monday, school time) per article', async () => {
      const store = await h.fresh();
      await seedSchool(store);
      const sundayNight = ams('2026-01-11 23:30');
      const mondayNight = ams('2026-01-12 00:30');
      await store.createGrant(windowGrant('sun', sundayNight, sundayNight + HOUR), 1);
      await store.createGrant(windowGrant('mon', mondayNight, mondayNight + HOUR, {}, { articles: ['III.A.1', 'III.A.3'] }), 1);
      await store.createGrant(grantFor('lesson', LESSON_V4A), 1);
      expect(await store.exceptionsPerWeek({ at: AT })).toEqual([
        { weekStart: '2026-01-05', article: 'III.A.3', count: 1 },
        { weekStart: '2026-01-12', article: 'III.A.1', count: 2 },
        { weekStart: '2026-01-12', article: 'III.A.3', count: 1 },
      ]);
      expect(await store.exceptionsPerWeek({ at: AT, teacherCode: 'JNS' })).toEqual([{ weekStart: '2026-01-12', article: 'III.A.1', count: 1 }]);
    });
  });
}
