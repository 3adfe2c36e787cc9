import { describe, expect, it } from 'vitest';
import { SCHOOL } from '../fixtures.ts';
import type { Harness } from '../harness.ts';

export function rosterContract(h: Harness): void {
  describe('students and groups', () => {
    it('stores students and updates them by id', async () => {
      const store = await h.fresh();
      await store.putSchool(SCHOOL, 1);
      await store.putStudents(SCHOOL.id, [{ id: 's1', name: 'An', loginName: 'an1' }, { id: 's2', name: 'Bo', loginName: null }]);
      await store.putStudents(SCHOOL.id, [{ id: 's1', name: 'Anna', loginName: 'anna1' }]);
      expect(await store.student(SCHOOL.id, 's1')).toEqual({ schoolId: SCHOOL.id, id: 's1', name: 'Anna', loginName: 'anna1' });
      expect(await store.studentByLoginName(SCHOOL.id, 'anna1')).toMatchObject({ id: 's1' });
      expect(await store.studentByLoginName(null, 'anna1')).toMatchObject({ id: 's1' });
      expect(await store.studentByLoginName(SCHOOL.id, 'an1')).toBeNull();
    });

    it('refuses a login name another student has, and lets two students swap theirs in one call', async () => {
      const store = await h.fresh();
      await store.putSchool(SCHOOL, 1);
      await store.putStudents(SCHOOL.id, [{ id: 's1', name: null, loginName: 'x' }, { id: 's2', name: null, loginName: 'y' }]);
      await expect(store.putStudents(SCHOOL.id, [{ id: 's3', name: null, loginName: 'x' }])).rejects.toMatchObject({ code: 'conflict' });
      expect(await store.student(SCHOOL.id, 's3')).toBeNull();
      await store.putStudents(SCHOOL.id, [{ id: 's1', name: null, loginName: 'y' }, { id: 's2', name: null, loginName: 'x' }]);
      expect(await store.studentByLoginName(SCHOOL.id, 'y')).toMatchObject({ id: 's1' });
    });

    it('replaces all groups and their members at once', async () => {
      const store = await h.fresh();
      await store.putSchool(SCHOOL, 1);
      await store.putStudents(SCHOOL.id, ['s1', 's2', 's3'].map((id) => ({ id, name: null, loginName: null })));
      await store.replaceGroups(SCHOOL.id, [{ code: 'v4a', name: 'V4 A', studentIds: ['s1', 's2'] }, { code: 'old', name: null, studentIds: ['s3'] }]);
      await store.replaceGroups(SCHOOL.id, [{ code: 'v4a', name: 'V4 A', studentIds: ['s2', 's3'] }, { code: 'v4b', name: null, studentIds: ['s1'] }]);
      expect((await store.groups(SCHOOL.id)).map((g) => g.code)).toEqual(['v4a', 'v4b']);
      expect((await store.studentsInGroup(SCHOOL.id, 'v4a')).map((s) => s.id)).toEqual(['s2', 's3']);
      expect(await store.groupsOfStudent(SCHOOL.id, 's1')).toEqual(['v4b']);
    });

    it('refuses groups naming an unknown student and keeps the groups it had', async () => {
      const store = await h.fresh();
      await store.putSchool(SCHOOL, 1);
      await store.putStudents(SCHOOL.id, [{ id: 's1', name: null, loginName: null }]);
      await store.replaceGroups(SCHOOL.id, [{ code: 'v4a', name: null, studentIds: ['s1'] }]);
      await expect(store.replaceGroups(SCHOOL.id, [{ code: 'v5', name: null, studentIds: ['s1', 'ghost'] }]))
        .rejects.toMatchObject({ code: 'not-found', message: expect.stringContaining('"ghost"') });
      expect((await store.groups(SCHOOL.id)).map((g) => g.code)).toEqual(['v4a']);
      expect(await store.groupsOfStudent(SCHOOL.id, 's1')).toEqual(['v4a']);
    });
  });
}
