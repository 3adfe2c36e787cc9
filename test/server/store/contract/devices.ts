import { describe, expect, it } from 'vitest';
import { device, HOUR, LESSON_V4A, MINUTE, MONDAY_0830, SCHOOL, seedSchool } from '../fixtures.ts';
import type { Harness } from '../harness.ts';

export function deviceContract(h: Harness): void {
  describe('devices', () => {
    it('enrolls a device without a student when only the login name it reports says whose it is (anyone with the secret can report any login)', async () => {
      const store = await h.fresh();
      await store.putSchool(SCHOOL, 1);
      await store.putStudents(SCHOOL.id, [{ id: 's1', name: 'An', loginName: 'an1' }]);
      const enrolled = await store.enrollDevice(device('d1', { loginName: 'an1' }), 10);
      expect(enrolled).toEqual({ ...device('d1', { loginName: 'an1' }), studentId: null, enrolledAt: 10, lastSeenAt: null, lastEventSeq: null, revokedAt: null, revokedBy: null });
      expect(await store.device('d1')).toEqual(enrolled);
    });

    it("assigns by the school's device rules: serial first, then hostname (first label, any case), then a pattern naming the login or student number", async () => {
      const store = await h.fresh();
      await store.putSchool(SCHOOL, 1);
      await store.putStudents(SCHOOL.id, [{ id: 's1', name: null, loginName: 'an1' }, { id: 'S2', name: null, loginName: 'bo2' }, { id: 's3', name: null, loginName: 'cy3' }]);
      expect(await store.replaceDeviceRules(SCHOOL.id, [
        { kind: 'serial', value: ' sn-100 ', studentId: 's1' },
        { kind: 'hostname', value: 'LAPTOP-BO', studentId: 'S2' },
        { kind: 'hostname-pattern', value: 'LL-{student}', studentId: null },
        { kind: 'hostname-pattern', value: '{login}-laptop', studentId: null },
      ], 5)).toEqual({ rules: 4 });
      expect((await store.enrollDevice(device('d1', { serial: 'SN-100', hostname: 'laptop-cy', loginName: 'cy3' }), 10)).studentId).toBe('s1');
      expect((await store.enrollDevice(device('d2', { serial: null, hostname: 'Laptop-Bo.school.local' }), 10)).studentId).toBe('S2');
      expect((await store.enrollDevice(device('d3', { serial: 'OTHER', hostname: 'll-s3' }), 10)).studentId).toBe('s3');
      expect((await store.enrollDevice(device('d4', { serial: null, hostname: 'BO2-LAPTOP' }), 10)).studentId).toBe('S2');
      expect((await store.enrollDevice(device('d5', { serial: null, hostname: 'll-nobody' }), 10)).studentId).toBeNull();
      expect((await store.enrollDevice(device('d6', { serial: null, hostname: 'll-' }), 10)).studentId).toBeNull();
      expect(await store.deviceRules(SCHOOL.id)).toEqual([
        { kind: 'hostname', value: 'laptop-bo', studentId: 'S2', recordedAt: 5 },
        { kind: 'hostname-pattern', value: 'll-{student}', studentId: null, recordedAt: 5 },
        { kind: 'hostname-pattern', value: '{login}-laptop', studentId: null, recordedAt: 5 },
        { kind: 'serial', value: 'SN-100', studentId: 's1', recordedAt: 5 },
      ]);
    });

    it('replaces the rules as a whole, keeping when unchanged rules were recorded; refuses unknown students, bad patterns and a serial given twice', async () => {
      const store = await h.fresh();
      await store.putSchool(SCHOOL, 1);
      await store.putStudents(SCHOOL.id, [{ id: 's1', name: null, loginName: 'an1' }, { id: 's2', name: null, loginName: 'bo2' }]);
      await store.replaceDeviceRules(SCHOOL.id, [{ kind: 'serial', value: 'A', studentId: 's1' }, { kind: 'serial', value: 'B', studentId: 's1' }], 5);
      await store.replaceDeviceRules(SCHOOL.id, [{ kind: 'serial', value: 'a', studentId: 's1' }, { kind: 'serial', value: 'B', studentId: 's2' }], 9);
      expect(await store.deviceRules(SCHOOL.id)).toEqual([
        { kind: 'serial', value: 'A', studentId: 's1', recordedAt: 5 },
        { kind: 'serial', value: 'B', studentId: 's2', recordedAt: 9 },
      ]);
      await expect(store.replaceDeviceRules(SCHOOL.id, [{ kind: 'serial', value: 'C', studentId: 'ghost' }], 10)).rejects.toMatchObject({ code: 'not-found' });
      await expect(store.replaceDeviceRules(SCHOOL.id, [{ kind: 'serial', value: 'C', studentId: 's1' }, { kind: 'serial', value: 'c', studentId: 's2' }], 10))
        .rejects.toMatchObject({ code: 'invalid-input' });
      await expect(store.replaceDeviceRules(SCHOOL.id, [{ kind: 'hostname-pattern', value: '{login}', studentId: null }], 10)).rejects.toMatchObject({ code: 'invalid-input' });
      await expect(store.replaceDeviceRules(SCHOOL.id, [{ kind: 'hostname-pattern', value: '{login}-{student}', studentId: null }], 10)).rejects.toMatchObject({ code: 'invalid-input' });
      await expect(store.replaceDeviceRules(SCHOOL.id, [{ kind: 'hostname', value: 'x', studentId: null }], 10)).rejects.toMatchObject({ code: 'invalid-input' });
      await expect(store.replaceDeviceRules('nope', [], 10)).rejects.toMatchObject({ code: 'not-found' });
      expect(await store.deviceRules(SCHOOL.id)).toHaveLength(2);
      await store.replaceDeviceRules(SCHOOL.id, [], 11);
      expect(await store.deviceRules(SCHOOL.id)).toEqual([]);
    });

    it('does not assign a second device claiming the serial or hostname of a laptop enrolled for a student', async () => {
      const store = await h.fresh();
      await store.putSchool(SCHOOL, 1);
      await store.putStudents(SCHOOL.id, [{ id: 's1', name: null, loginName: 'an1' }]);
      await store.replaceDeviceRules(SCHOOL.id, [{ kind: 'serial', value: 'SN-1', studentId: 's1' }, { kind: 'hostname-pattern', value: 'laptop-{login}', studentId: null }], 1);
      expect((await store.enrollDevice(device('real', { serial: 'SN-1', hostname: 'laptop-an1' }), 2)).studentId).toBe('s1');
      expect((await store.enrollDevice(device('fake-serial', { serial: 'sn-1', hostname: 'thuis' }), 3)).studentId).toBeNull();
      expect((await store.enrollDevice(device('fake-name', { serial: null, hostname: 'LAPTOP-AN1' }), 3)).studentId).toBeNull();
      // Nor later, by a heartbeat that claims it.
      await store.updateDeviceReport('fake-name', { hostname: 'laptop-an1', serial: 'SN-1', os: 'linux', agentVersion: '0.1.0', loginName: 'an1' }, 4);
      expect((await store.device('fake-name'))?.studentId).toBeNull();
    });

    it('binds a revocation to the serial (no new enrollment under a new key) and to the student (no rule older than it assigns them a laptop)', async () => {
      const store = await h.fresh();
      await store.putSchool(SCHOOL, 1);
      await store.putStudents(SCHOOL.id, [{ id: 's1', name: null, loginName: 'an1' }]);
      await store.replaceDeviceRules(SCHOOL.id, [{ kind: 'serial', value: 'SN-1', studentId: 's1' }, { kind: 'hostname-pattern', value: 'laptop-{login}', studentId: null }], 1);
      await store.enrollDevice(device('stolen', { serial: 'SN-1', hostname: 'laptop-an1' }), 2);
      await store.revokeDevice('stolen', { at: 10, by: 'beheer' });
      const again = await store.enrollDevice(device('new-key', { serial: 'sn-1 ', hostname: 'x' }), 11).then(() => null, (e: unknown) => e);
      expect(again).toMatchObject({ code: 'revoked', message: expect.stringMatching(/serial number sn-1 .*revoked.*restore it/) });
      expect(await store.device('new-key')).toBeNull();
      // Another laptop named like hers is not hers either, until the school records a rule after the revocation.
      expect((await store.enrollDevice(device('named-like-hers', { serial: 'SN-2', hostname: 'laptop-an1' }), 12)).studentId).toBeNull();
      await store.replaceDeviceRules(SCHOOL.id, [{ kind: 'serial', value: 'SN-1', studentId: 's1' }, { kind: 'serial', value: 'SN-3', studentId: 's1' },
        { kind: 'hostname-pattern', value: 'laptop-{login}', studentId: null }], 13);
      expect((await store.enrollDevice(device('replacement', { serial: 'SN-3', hostname: 'laptop-3' }), 14)).studentId).toBe('s1');
      // Restored, the laptop enrolls again.
      await store.restoreDevice('stolen');
      expect(await store.enrollDevice(device('new-key', { serial: 'SN-1' }), 15)).toMatchObject({ id: 'new-key' });
    });

    it('refuses what a laptop reports with direction overrides or zero-width characters, and keeps it NFKC-normalised', async () => {
      const store = await h.fresh();
      await store.putSchool(SCHOOL, 1);
      for (const hostname of ['laptop-\u202Eannas', 'laptop\u200B-sanne']) {
        await expect(store.enrollDevice(device('d1', { hostname }), 1)).rejects.toMatchObject({ code: 'invalid-input', message: expect.stringMatching(/hostname: must be plain text/) });
      }
      expect(await store.enrollDevice(device('d1', { hostname: 'ＬＡＰＴＯＰ－１', serial: 'ＳＮ１' }), 1)).toMatchObject({ hostname: 'LAPTOP-1', serial: 'SN1' });
      await expect(store.updateDeviceReport('d1', { hostname: 'x', serial: null, os: 'linux', agentVersion: '0.1.0', loginName: 'an\u2066na' }, 2))
        .rejects.toMatchObject({ code: 'invalid-input' });
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
      await store.assignDevice('d1', { schoolId: SCHOOL.id, studentId: 's1' }, 2);
      const report = { hostname: 'LAPTOP-7', serial: 'SN7', os: 'linux' as const, agentVersion: '0.2.0', loginName: 'an1' };
      const renewed = await store.renewDeviceCredential('d1', 'hash-2', report, 5);
      expect(renewed).toMatchObject({ id: 'd1', credentialHash: 'hash-2', hostname: 'LAPTOP-7', studentId: 's1', enrolledAt: 1 });
      expect(await store.renewDeviceCredential('ghost', 'hash-3', report, 6)).toBeNull();
      await expect(store.renewDeviceCredential('d1', '', report, 6)).rejects.toMatchObject({ code: 'invalid-input' });
    });

    it('records a new report, matches an unassigned device by a device rule (never its login name), and never reassigns one', async () => {
      const store = await h.fresh();
      await store.putSchool(SCHOOL, 1);
      await store.putStudents(SCHOOL.id, [{ id: 's1', name: null, loginName: 'an1' }, { id: 's2', name: null, loginName: 'bo2' }]);
      await store.enrollDevice(device('d1'), 1);
      const report = { hostname: 'LAPTOP-7', serial: 'SN7', os: 'darwin' as const, agentVersion: '0.2.0', loginName: 'an1' };
      expect(await store.updateDeviceReport('d1', report, 5)).toBe(true);
      expect(await store.device('d1')).toMatchObject({ ...report, studentId: null });
      await store.replaceDeviceRules(SCHOOL.id, [{ kind: 'serial', value: 'SN7', studentId: 's1' }, { kind: 'hostname', value: 'laptop-8', studentId: 's2' }], 5);
      await store.updateDeviceReport('d1', report, 5);
      expect(await store.device('d1')).toMatchObject({ ...report, studentId: 's1' });
      await store.updateDeviceReport('d1', { ...report, serial: null, hostname: 'laptop-8', loginName: 'bo2' }, 6);
      expect(await store.device('d1')).toMatchObject({ loginName: 'bo2', studentId: 's1' });
      expect(await store.updateDeviceReport('ghost', report, 6)).toBe(false);
    });

    it('assigns and unassigns a device to a student', async () => {
      const store = await h.fresh();
      await store.putSchool(SCHOOL, 1);
      await store.putStudents(SCHOOL.id, [{ id: 's1', name: null, loginName: null }]);
      await store.enrollDevice(device('d1', { schoolId: null }), 1);
      expect(await store.assignDevice('d1', { schoolId: SCHOOL.id, studentId: 's1' }, 2)).toBe(true);
      expect(await store.device('d1')).toMatchObject({ schoolId: SCHOOL.id, studentId: 's1' });
      await expect(store.assignDevice('d1', { schoolId: SCHOOL.id, studentId: 'ghost' }, 3)).rejects.toMatchObject({ code: 'not-found' });
      expect(await store.assignDevice('d1', null, 3)).toBe(true);
      expect((await store.device('d1'))?.studentId).toBeNull();
      expect(await store.assignDevice('ghost', null, 3)).toBe(false);
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
