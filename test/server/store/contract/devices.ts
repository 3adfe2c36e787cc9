import { describe, expect, it } from 'vitest';
import { device, HOUR, LESSON_V4A, MINUTE, MONDAY_0830, SCHOOL, seedSchool } from '../fixtures.ts';
import type { Harness } from '../harness.ts';

export function deviceContract(h: Harness): void {
  describe('devices', () => {
    it('enrolls a device, matching it to the student with the login name it reports', async () => {
      const store = await h.fresh();
      await store.putSchool(SCHOOL, 1);
      await store.putStudents(SCHOOL.id, [{ id: 's1', name: 'An', loginName: 'an1' }]);
      const enrolled = await store.enrollDevice(device('d1', { loginName: 'an1' }), 10);
      expect(enrolled).toEqual({ ...device('d1', { loginName: 'an1' }), studentId: 's1', enrolledAt: 10, lastSeenAt: null, lastEventSeq: null, revokedAt: null, revokedBy: null });
      expect(await store.device('d1')).toEqual(enrolled);
      const stranger = await store.enrollDevice(device('d2', { loginName: 'unknown' }), 10);
      expect(stranger.studentId).toBeNull();
    });

    it('refuses a device id that is taken, and an unknown school', async () => {
      const store = await h.fresh();
      await store.putSchool(SCHOOL, 1);
      await store.enrollDevice(device('d1'), 1);
      await expect(store.enrollDevice(device('d1', { hostname: 'other' }), 2)).rejects.toMatchObject({ code: 'conflict' });
      await expect(store.enrollDevice(device('d9', { schoolId: 'nope' }), 2)).rejects.toMatchObject({ code: 'not-found' });
      expect((await store.device('d1'))?.hostname).toBe('laptop-d1');
    });

    it('renews the credential of a device enrolling again, keeping its student, and knows no ghost', async () => {
      const store = await h.fresh();
      await store.putSchool(SCHOOL, 1);
      await store.putStudents(SCHOOL.id, [{ id: 's1', name: null, loginName: 'an1' }]);
      await store.enrollDevice(device('d1', { loginName: 'an1' }), 1);
      const report = { hostname: 'LAPTOP-7', serial: 'SN7', os: 'linux' as const, agentVersion: '0.2.0', loginName: 'an1' };
      const renewed = await store.renewDeviceCredential('d1', 'hash-2', report, 5);
      expect(renewed).toMatchObject({ id: 'd1', credentialHash: 'hash-2', hostname: 'LAPTOP-7', studentId: 's1', enrolledAt: 1 });
      expect(await store.renewDeviceCredential('ghost', 'hash-3', report, 6)).toBeNull();
      await expect(store.renewDeviceCredential('d1', '', report, 6)).rejects.toMatchObject({ code: 'invalid-input' });
    });

    it('records a new report, and matches an unassigned device by login name but never reassigns one', async () => {
      const store = await h.fresh();
      await store.putSchool(SCHOOL, 1);
      await store.putStudents(SCHOOL.id, [{ id: 's1', name: null, loginName: 'an1' }, { id: 's2', name: null, loginName: 'bo2' }]);
      await store.enrollDevice(device('d1'), 1);
      const report = { hostname: 'LAPTOP-7', serial: 'SN7', os: 'darwin' as const, agentVersion: '0.2.0', loginName: 'an1' };
      expect(await store.updateDeviceReport('d1', report, 5)).toBe(true);
      expect(await store.device('d1')).toMatchObject({ ...report, studentId: 's1' });
      await store.updateDeviceReport('d1', { ...report, loginName: 'bo2' }, 6);
      expect(await store.device('d1')).toMatchObject({ loginName: 'bo2', studentId: 's1' });
      expect(await store.updateDeviceReport('ghost', report, 6)).toBe(false);
    });

    it('assigns and unassigns a device to a student', async () => {
      const store = await h.fresh();
      await store.putSchool(SCHOOL, 1);
      await store.putStudents(SCHOOL.id, [{ id: 's1', name: null, loginName: null }]);
      await store.enrollDevice(device('d1', { schoolId: null }), 1);
      expect(await store.assignDevice('d1', { schoolId: SCHOOL.id, studentId: 's1' })).toBe(true);
      expect(await store.device('d1')).toMatchObject({ schoolId: SCHOOL.id, studentId: 's1' });
      await expect(store.assignDevice('d1', { schoolId: SCHOOL.id, studentId: 'ghost' })).rejects.toMatchObject({ code: 'not-found' });
      expect(await store.assignDevice('d1', null)).toBe(true);
      expect((await store.device('d1'))?.studentId).toBeNull();
      expect(await store.assignDevice('ghost', null)).toBe(false);
    });

    it('keeps last seen at the latest contact, even when contacts arrive out of order', async () => {
      const store = await h.fresh();
      await store.putSchool(SCHOOL, 1);
      await store.enrollDevice(device('d1'), 1);
      expect(await store.recordDeviceContact('d1', 1_000 * MINUTE)).toBe(true);
      expect(await store.recordDeviceContact('d1', 999 * MINUTE)).toBe(true);
      expect((await store.device('d1'))?.lastSeenAt).toBe(1_000 * MINUTE);
      expect(await store.recordDeviceContact('ghost', 1)).toBe(false);
    });

    it('lists device health least recently seen first, never-seen devices on top, without credentials', async () => {
      const store = await h.fresh();
      await store.putSchool(SCHOOL, 1);
      for (const id of ['d1', 'd2', 'd3']) await store.enrollDevice(device(id), 1);
      await store.recordDeviceContact('d1', 50);
      await store.recordDeviceContact('d3', 40);
      const health = await store.deviceHealth(SCHOOL.id);
      expect(health.map((d) => [d.deviceId, d.lastSeenAt])).toEqual([['d2', null], ['d3', 40], ['d1', 50]]);
      expect(Object.keys(health[0]!)).not.toContain('credentialHash');
      expect(await store.deviceHealth('other-school')).toEqual([]);
      expect(await store.deviceHealth(null)).toHaveLength(3);
    });

    it('revokes a device, keeping the first revocation, and restores it; knows no ghost', async () => {
      const store = await h.fresh();
      await store.putSchool(SCHOOL, 1);
      await store.enrollDevice(device('d1'), 1);
      await store.enrollDevice(device('d2'), 1);
      const revoked = await store.revokeDevice('d1', { at: 50, by: 'beheer' });
      expect(revoked).toMatchObject({ id: 'd1', revokedAt: 50, revokedBy: 'beheer' });
      expect(await store.revokeDevice('d1', { at: 60, by: 'de-vries' })).toMatchObject({ revokedAt: 50, revokedBy: 'beheer' });
      expect(await store.device('d2')).toMatchObject({ revokedAt: null, revokedBy: null });
      expect(await store.revokeDevice('ghost', { at: 60, by: 'beheer' })).toBeNull();
      await expect(store.revokeDevice('d2', { at: -1, by: 'beheer' })).rejects.toMatchObject({ code: 'invalid-input' });

      const health = await store.deviceHealth(SCHOOL.id);
      expect(health.map((d) => [d.deviceId, d.revokedAt])).toEqual([['d1', 50], ['d2', null]]);

      expect(await store.restoreDevice('d1')).toMatchObject({ id: 'd1', revokedAt: null, revokedBy: null });
      expect(await store.restoreDevice('ghost')).toBeNull();
    });

    it('refuses to renew the credential of a revoked device, changing nothing', async () => {
      const store = await h.fresh();
      await store.putSchool(SCHOOL, 1);
      await store.enrollDevice(device('d1'), 1);
      await store.revokeDevice('d1', { at: 2, by: 'beheer' });
      const report = { hostname: 'THIEF-PC', serial: null, os: 'win32' as const, agentVersion: '0.1.0', loginName: null };
      await expect(store.renewDeviceCredential('d1', 'hash-2', report, 3)).rejects.toMatchObject({ code: 'conflict' });
      expect(await store.device('d1')).toMatchObject({ hostname: 'laptop-d1', credentialHash: device('d1').credentialHash });
      await store.restoreDevice('d1');
      expect(await store.renewDeviceCredential('d1', 'hash-2', report, 4)).toMatchObject({ credentialHash: 'hash-2', hostname: 'THIEF-PC' });
    });

    it('never counts a revoked device as not enforcing', async () => {
      const store = await h.fresh();
      await seedSchool(store);
      const monday = { from: MONDAY_0830 - HOUR, to: LESSON_V4A.end + HOUR };
      const silent = async () => (await store.devicesNotEnforcing(SCHOOL.id, monday)).filter((r) => r.lesson.uid === LESSON_V4A.uid).map((r) => r.deviceId);
      expect(await silent()).toEqual(['d1', 'd2']);
      await store.revokeDevice('d1', { at: MONDAY_0830 - HOUR, by: 'beheer' });
      expect(await silent()).toEqual(['d2']);
    });
  });
}
