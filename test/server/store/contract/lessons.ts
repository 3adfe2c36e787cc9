import { describe, expect, it } from 'vitest';
import type { Lesson } from '../../../../src/core/timetable/lesson.ts';
import { DAY, HOUR, lesson, MONDAY_0830, SCHOOL } from '../fixtures.ts';
import type { Harness } from '../harness.ts';

const WEEK = { from: MONDAY_0830 - 8 * HOUR, to: MONDAY_0830 - 8 * HOUR + 7 * DAY };

/** `count` lessons through the week, uids tagged so two versions of a timetable are told apart. */
function timetable(tag: string, count: number): Lesson[] {
  return Array.from({ length: count }, (_, i) => lesson({ uid: `${tag}-${i}`, start: MONDAY_0830 + Math.floor(i / 8) * DAY + (i % 8) * HOUR,
    groups: [i % 2 === 0 ? 'v4a' : 'v4b'], teachers: [i % 3 === 0 ? 'JNS' : 'PTR'] }));
}

const uids = (lessons: readonly Lesson[]) => lessons.map((l) => l.uid);

export function lessonContract(h: Harness): void {
  describe('lessons', () => {
    it('replaces the lessons of a range and leaves the rest of the timetable alone', async () => {
      const store = await h.fresh();
      await store.putSchool(SCHOOL, 1);
      const before = lesson({ uid: 'last-week', start: WEEK.from - DAY });
      await store.replaceLessons(SCHOOL.id, { from: WEEK.from - 7 * DAY, to: WEEK.from }, [before]);
      await store.replaceLessons(SCHOOL.id, WEEK, timetable('v1', 10));
      const result = await store.replaceLessons(SCHOOL.id, WEEK, timetable('v2', 4));
      expect(result).toEqual({ removed: 10, added: 4 });
      expect(uids(await store.lessons(SCHOOL.id, { from: WEEK.from - 7 * DAY, to: WEEK.to }))).toEqual(['last-week', 'v2-0', 'v2-1', 'v2-2', 'v2-3']);
    });

    it('returns lessons whole, overlapping a range, per teacher and per group', async () => {
      const store = await h.fresh();
      await store.putSchool(SCHOOL, 1);
      const lessons = timetable('t', 8);
      await store.replaceLessons(SCHOOL.id, WEEK, lessons);
      // A range starting mid-lesson still finds that lesson.
      expect(await store.lessons(SCHOOL.id, { from: MONDAY_0830 + 10 * 60_000, to: MONDAY_0830 + HOUR })).toEqual([lessons[0]]);
      expect(uids(await store.lessons(SCHOOL.id, { ...WEEK, teacherCode: 'JNS' }))).toEqual(['t-0', 't-3', 't-6']);
      expect(uids(await store.lessons(SCHOOL.id, { ...WEEK, groupCode: 'v4b' }))).toEqual(['t-1', 't-3', 't-5', 't-7']);
      expect(await store.lesson(SCHOOL.id, 't-2', lessons[2]!.start)).toEqual(lessons[2]);
      expect(await store.lesson(SCHOOL.id, 't-2', lessons[2]!.start + 1)).toBeNull();
    });

    it("gives a student's schedule from their groups", async () => {
      const store = await h.fresh();
      await store.putSchool(SCHOOL, 1);
      await store.putStudents(SCHOOL.id, [{ id: 's1', name: null, loginName: null }]);
      await store.replaceGroups(SCHOOL.id, [{ code: 'v4a', name: null, studentIds: ['s1'] }]);
      await store.replaceLessons(SCHOOL.id, WEEK, timetable('t', 6));
      expect(uids(await store.lessonsOfStudent(SCHOOL.id, 's1', WEEK))).toEqual(['t-0', 't-2', 't-4']);
    });

    it('refuses lessons outside the range, or the same occurrence twice, and keeps the stored timetable', async () => {
      const store = await h.fresh();
      await store.putSchool(SCHOOL, 1);
      await store.replaceLessons(SCHOOL.id, WEEK, timetable('kept', 3));
      const outside = lesson({ uid: 'x', start: WEEK.to });
      await expect(store.replaceLessons(SCHOOL.id, WEEK, [...timetable('new', 2), outside])).rejects.toMatchObject({
        code: 'invalid-input', issues: [{ path: 'lessons[2]', message: expect.stringContaining('outside') }],
      });
      const twice = timetable('new', 1);
      await expect(store.replaceLessons(SCHOOL.id, WEEK, [...twice, ...twice])).rejects.toMatchObject({ code: 'invalid-input' });
      expect(uids(await store.lessons(SCHOOL.id, WEEK))).toEqual(['kept-0', 'kept-1', 'kept-2']);
    });

    it('never shows a mix of two timetables while two connections replace the same range at once', async () => {
      const first = await h.fresh();
      await first.putSchool(SCHOOL, 1);
      const second = await h.another(first);
      const versions = [timetable('a', 40), timetable('b', 25)];
      await first.replaceLessons(SCHOOL.id, WEEK, versions[0]!);
      const allowed = versions.map((v) => JSON.stringify(uids(v)));
      let writing = true;
      const seen: string[] = [];
      const reader = (async () => {
        while (writing) seen.push(JSON.stringify(uids(await second.lessons(SCHOOL.id, WEEK))));
      })();
      await Promise.all([0, 1, 2, 3, 4, 5].map((i) => (i % 2 === 0 ? first : second).replaceLessons(SCHOOL.id, WEEK, versions[i % 2]!)));
      writing = false;
      await reader;
      for (const snapshot of seen) expect(allowed).toContain(snapshot);
      expect(allowed).toContain(JSON.stringify(uids(await first.lessons(SCHOOL.id, WEEK))));
    });
  });
}
