import { describe, expect, it } from 'vitest';
import { hashPassword, FAST_SCRYPT_COST } from '../../../../src/server/auth/passwords.ts';
import type { TestApi, UserSession, useApi } from '../harness.ts';
import { MINUTE, NOW, OTHER_SCHOOL, PASSWORD, SCHOOL } from '../school.ts';

/**
 * What the admin page ("Beheer") does, over the API: laptops revoked and
 * restored, enrollment secrets made (shown once) and revoked, accounts made.
 * Only admins; every change audited with the admin as actor.
 */

const NEW_TEACHER = { username: 'van-dam', role: 'teacher', password: 'een lang wachtwoord', displayName: 'Mw. Van Dam', teacherCode: 'DAM', schoolId: SCHOOL.id };

async function auditOf(server: TestApi, subjectKind: string, subjectId: string) {
  const page = await server.store.auditLog({ subjectKind, subjectId }, { limit: 10, offset: 0 });
  return page.rows.map((e) => [e.action, e.username]);
}

async function enrollWith(server: TestApi, secret: string, hostname: string) {
  return server.call('POST', '/api/v1/devices/enroll', {
    body: { enrollmentSecret: secret, hostname, serial: `SN-${hostname}`, os: 'win32', agentVersion: '0.1.0', loginName: null },
  });
}

/** An admin of one school only (the seed's admin is over every school). */
async function schoolAdmin(server: TestApi, schoolId: string): Promise<UserSession> {
  await server.store.createUser({ username: `beheer-${schoolId}`, role: 'admin', displayName: null, teacherCode: null, schoolId,
    passwordHash: await hashPassword(PASSWORD, FAST_SCRYPT_COST) }, 1);
  return server.login(`beheer-${schoolId}`);
}

export function adminSuite(api: ReturnType<typeof useApi>): void {
  describe('the admin page\'s API', () => {
    it('refuses teachers and leaders (403) on secrets, accounts and restoring, and a missing CSRF token', async () => {
      const server = await api.start();
      const laptop = await server.enroll('sanne');
      const admin = await server.login('beheer');
      for (const who of [await server.login('jansen'), await server.login('de-vries')]) {
        expect((await server.call('GET', '/api/v1/enrollment-secrets', { as: who })).status).toBe(403);
        expect((await server.call('POST', '/api/v1/enrollment-secrets', { as: who, body: {} })).status).toBe(403);
        const [secret] = (await server.call('GET', '/api/v1/enrollment-secrets', { as: admin })).body.secrets;
        expect((await server.call('POST', `/api/v1/enrollment-secrets/${secret.id}/revoke`, { as: who })).status).toBe(403);
        expect((await server.call('POST', '/api/v1/users', { as: who, body: NEW_TEACHER })).status).toBe(403);
        expect((await server.call('POST', `/api/v1/devices/${laptop.deviceId}/restore`, { as: who })).status).toBe(403);
      }
      expect((await server.call('GET', '/api/v1/devices', { as: await server.login('jansen') })).status).toBe(403);
      const noCsrf = await server.call('POST', '/api/v1/enrollment-secrets', { as: admin, body: {}, noCsrf: true });
      expect(noCsrf.status).toBe(403);
      expect(noCsrf.body.error).toBe('csrf-failed');
      expect((await server.call('GET', '/api/v1/enrollment-secrets', { as: admin })).body.secrets).toHaveLength(1);
      expect((await server.store.auditLog({ username: 'beheer' }, { limit: 10, offset: 0 })).rows).toEqual([]);
    });

    it('revokes a laptop and restores it: the laptop is refused, then served again; both audited under the admin', async () => {
      const server = await api.start();
      const laptop = await server.enroll('sanne');
      const admin = await server.login('beheer');
      expect((await server.call('GET', '/api/v1/device/schedule', { as: laptop })).status).toBe(200);

      server.now = NOW + MINUTE;
      const revoked = await server.call('POST', `/api/v1/devices/${laptop.deviceId}/revoke`, { as: admin });
      expect(revoked.body).toMatchObject({ revokedAt: NOW + MINUTE, revokedBy: 'beheer' });
      expect((await server.call('GET', '/api/v1/device/schedule', { as: laptop })).status).toBe(401);
      const listed = (await server.call('GET', `/api/v1/devices?school=${SCHOOL.id}`, { as: admin })).body.devices;
      expect(listed).toEqual([expect.objectContaining({
        deviceId: laptop.deviceId, hostname: 'laptop-sanne', serial: 'SN-laptop-sanne', studentName: 'Sanne de Vries',
        enrolledAt: NOW, revokedAt: NOW + MINUTE, revokedBy: 'beheer',
      })]);

      server.now = NOW + 2 * MINUTE;
      const restored = await server.call('POST', `/api/v1/devices/${laptop.deviceId}/restore`, { as: admin });
      expect(restored.body).toMatchObject({ revokedAt: null, revokedBy: null });
      const schedule = await server.call('GET', '/api/v1/device/schedule', { as: laptop });
      expect(schedule.status).toBe(200);
      expect((await server.call('GET', '/api/v1/devices', { as: admin })).body.devices[0]).toMatchObject({ revokedAt: null, revokedBy: null });
      expect(await auditOf(server, 'device', laptop.deviceId)).toEqual([['restore-device', 'beheer'], ['revoke-device', 'beheer']]);
    });

    it('makes an enrollment secret shown once, lists secrets without their value, and revokes one: audited under the admin', async () => {
      const server = await api.start();
      const admin = await server.login('beheer');
      const made = await server.call('POST', '/api/v1/enrollment-secrets', { as: admin, body: { schoolId: SCHOOL.id } });
      expect(made.status).toBe(201);
      expect(made.body).toMatchObject({ schoolId: SCHOOL.id, createdAt: NOW, revokedAt: null, secret: expect.stringMatching(/^lme1\./) });
      const listed = await server.call('GET', '/api/v1/enrollment-secrets', { as: admin });
      expect(listed.body.secrets.map((s: any) => s.id)).toContain(made.body.id);
      // Neither the secret nor its hash is ever listed.
      expect(listed.text).not.toContain(made.body.secret);
      expect(listed.text).not.toContain(made.body.secret.slice(5));
      expect(Object.keys(listed.body.secrets[0]).sort()).toEqual(['createdAt', 'id', 'revokedAt', 'schoolId']);
      expect((await enrollWith(server, made.body.secret, 'laptop-nieuw')).status).toBe(201);

      server.now = NOW + MINUTE;
      const revoked = await server.call('POST', `/api/v1/enrollment-secrets/${made.body.id}/revoke`, { as: admin });
      expect(revoked.body).toMatchObject({ id: made.body.id, revokedAt: NOW + MINUTE });
      expect((await enrollWith(server, made.body.secret, 'laptop-nog-een')).status).toBe(401);
      // Again: the first time stays, nothing is audited twice.
      server.now = NOW + 2 * MINUTE;
      expect((await server.call('POST', `/api/v1/enrollment-secrets/${made.body.id}/revoke`, { as: admin })).body.revokedAt).toBe(NOW + MINUTE);
      expect(await auditOf(server, 'enrollment-secret', made.body.id)).toEqual([['revoke-enrollment-secret', 'beheer'], ['create-enrollment-secret', 'beheer']]);
      expect((await server.call('POST', '/api/v1/enrollment-secrets/00000000-0000-4000-8000-000000000000/revoke', { as: admin })).status).toBe(404);
    });

    it('makes an account that can log in, audited under the admin; a taken username is 409', async () => {
      const server = await api.start();
      const admin = await server.login('beheer');
      const made = await server.call('POST', '/api/v1/users', { as: admin, body: NEW_TEACHER });
      expect(made.status).toBe(201);
      expect(made.body).toMatchObject({ username: 'van-dam', role: 'teacher', teacherCode: 'DAM', schoolId: SCHOOL.id });
      expect(made.text).not.toContain('passwordHash');
      expect((await server.login('van-dam', NEW_TEACHER.password)).username).toBe('van-dam');
      expect(await auditOf(server, 'user', 'van-dam')).toEqual([['create-user', 'beheer']]);
      expect((await server.call('POST', '/api/v1/users', { as: admin, body: NEW_TEACHER })).status).toBe(409);
      const listed = await server.call('GET', `/api/v1/users?school=${SCHOOL.id}`, { as: admin });
      expect(listed.body.users.map((u: any) => u.username)).toContain('van-dam');
    });

    it('keeps an admin of one school to that school: no accounts, secrets or laptops of another', async () => {
      const server = await api.start();
      const laptop = await server.enroll('sanne');
      const other = await schoolAdmin(server, OTHER_SCHOOL.id);
      expect((await server.call('POST', '/api/v1/users', { as: other, body: NEW_TEACHER })).status).toBe(403);
      expect((await server.call('GET', `/api/v1/enrollment-secrets?school=${SCHOOL.id}`, { as: other })).status).toBe(403);
      expect((await server.call('GET', '/api/v1/enrollment-secrets', { as: other })).body.secrets).toEqual([]);
      const [theirs] = (await server.call('GET', '/api/v1/enrollment-secrets', { as: await server.login('beheer') })).body.secrets;
      expect((await server.call('POST', `/api/v1/enrollment-secrets/${theirs.id}/revoke`, { as: other })).status).toBe(404);
      expect((await server.call('POST', `/api/v1/devices/${laptop.deviceId}/revoke`, { as: other })).status).toBe(404);
      expect((await server.call('GET', '/api/v1/devices', { as: other })).body.devices).toEqual([]);
      const own = await server.call('POST', '/api/v1/enrollment-secrets', { as: other, body: {} });
      expect(own.body.schoolId).toBe(OTHER_SCHOOL.id);
    });
  });
}
