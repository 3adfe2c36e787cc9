import { describe, expect, it } from 'vitest';
import { leader, OTHER_SCHOOL, SCHOOL, teacher } from '../fixtures.ts';
import type { Harness } from '../harness.ts';

export function peopleContract(h: Harness): void {
  describe('schools', () => {
    it('creates a school and renames it on a second put', async () => {
      const store = await h.fresh();
      await store.putSchool(SCHOOL, 1);
      await store.putSchool({ ...SCHOOL, name: 'SVOK College Amsterdam' }, 2);
      expect(await store.school(SCHOOL.id)).toEqual({ ...SCHOOL, name: 'SVOK College Amsterdam' });
      expect(await store.school('nope')).toBeNull();
    });

    it('refuses a school with an unknown time zone, naming the field', async () => {
      const store = await h.fresh();
      await expect(store.putSchool({ ...SCHOOL, timeZone: 'Mars/Olympus' }, 1)).rejects.toMatchObject({
        code: 'invalid-input', issues: [expect.objectContaining({ path: 'timeZone' })],
      });
      expect(await store.schools()).toEqual([]);
    });
  });

  describe('users', () => {
    it('creates users and finds them by username, school and role', async () => {
      const store = await h.fresh();
      await store.putSchool(SCHOOL, 1);
      const created = await store.createUser(teacher('jansen', 'JNS'), 5);
      expect(created).toEqual({ ...teacher('jansen', 'JNS'), createdAt: 5 });
      await store.createUser(leader('de-vries', null), 6);
      expect(await store.user('jansen')).toEqual(created);
      expect((await store.users({ role: 'leader' })).map((u) => u.username)).toEqual(['de-vries']);
      expect((await store.users({ schoolId: SCHOOL.id })).map((u) => u.username)).toEqual(['jansen']);
      expect(await store.user('nobody')).toBeNull();
    });

    it('refuses a second user with the same username, and a teacher code already taken at the school', async () => {
      const store = await h.fresh();
      await store.putSchool(SCHOOL, 1);
      await store.putSchool(OTHER_SCHOOL, 1);
      await store.createUser(teacher('jansen', 'JNS'), 1);
      await expect(store.createUser(leader('jansen'), 2)).rejects.toMatchObject({ code: 'conflict' });
      await expect(store.createUser(teacher('janssen', 'JNS'), 2)).rejects.toMatchObject({ code: 'conflict', message: expect.stringMatching(/JNS.*jansen/) });
      // The same code at another school is another teacher.
      await store.createUser(teacher('jansen-lyceum', 'JNS', OTHER_SCHOOL.id), 2);
    });

    it('refuses a teacher without a teacher code, and a user of an unknown school', async () => {
      const store = await h.fresh();
      await store.putSchool(SCHOOL, 1);
      await expect(store.createUser({ ...teacher('x', 'X'), teacherCode: null }, 1)).rejects.toMatchObject({ code: 'invalid-input' });
      await expect(store.createUser(teacher('y', 'Y', 'no-such-school'), 1)).rejects.toMatchObject({ code: 'not-found' });
      expect(await store.users()).toEqual([]);
    });

    it('changes a password hash', async () => {
      const store = await h.fresh();
      await store.putSchool(SCHOOL, 1);
      await store.createUser(teacher('jansen', 'JNS'), 1);
      expect(await store.setPasswordHash('jansen', 'new-hash')).toBe(true);
      expect((await store.user('jansen'))?.passwordHash).toBe('new-hash');
      expect(await store.setPasswordHash('nobody', 'x')).toBe(false);
    });
  });

  describe('sessions', () => {
    it('finds a session with its user until it expires, and deletes it', async () => {
      const store = await h.fresh();
      await store.putSchool(SCHOOL, 1);
      await store.createUser(teacher('jansen', 'JNS'), 1);
      const session = { tokenHash: 'token-hash-1', username: 'jansen', createdAt: 100, expiresAt: 200 };
      await store.createSession(session);
      expect(await store.session('token-hash-1', 199)).toEqual({ session, user: expect.objectContaining({ username: 'jansen', role: 'teacher' }) });
      expect(await store.session('token-hash-1', 200)).toBeNull();
      await store.deleteSession('token-hash-1');
      expect(await store.session('token-hash-1', 150)).toBeNull();
    });

    it('removes expired sessions only', async () => {
      const store = await h.fresh();
      await store.putSchool(SCHOOL, 1);
      await store.createUser(teacher('jansen', 'JNS'), 1);
      await store.createSession({ tokenHash: 'old', username: 'jansen', createdAt: 1, expiresAt: 10 });
      await store.createSession({ tokenHash: 'new', username: 'jansen', createdAt: 1, expiresAt: 30 });
      expect(await store.deleteExpiredSessions(20)).toBe(1);
      expect(await store.session('new', 20)).not.toBeNull();
    });

    it('refuses a session for an unknown user', async () => {
      const store = await h.fresh();
      await expect(store.createSession({ tokenHash: 't', username: 'ghost', createdAt: 1, expiresAt: 2 })).rejects.toMatchObject({ code: 'not-found' });
    });
  });
}
