import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateSigningKeyPair, signPayload, verifySignature } from '../../../../src/adapters/signing.ts';
import { DEVICE_PATHS, MAX_GRANTS_PER_RESTORE } from '../../../../src/core/protocol/index.ts';
import type { DeviceAuth, TestApi, useApi } from '../harness.ts';
import { JNS_NOW, MINUTE, NOW } from '../school.ts';

/**
 * A server restored from a backup lost the grants issued after it; the
 * laptops give them back, as the server signed them for each laptop. The
 * server keeps a lost one again (once), by its own signature only, for the
 * laptop that gives it back only.
 */

const REASON = 'Instagram-campagne analyseren voor het vak Nederlands';
const lessonScope = { kind: 'lesson', lessonUid: JNS_NOW.uid, lessonStart: JNS_NOW.start };

/** A grant Jansen made for his lesson before the restore, as the server signed it for `device` then (the restored store never saw it). */
function lostGrant(server: TestApi, device: DeviceAuth, grant: Record<string, unknown> = {}, payload: Record<string, unknown> = {}) {
  return server.signer.sign({
    type: 'lesmodus.device-grant.v1',
    deviceId: device.deviceId,
    schoolId: 'svok-college',
    grant: {
      id: randomUUID(),
      issuedBy: { username: 'jansen', name: 'Dhr. Jansen', role: 'teacher', teacherCode: 'JNS' },
      reason: REASON,
      scope: lessonScope,
      allow: { categories: ['social'], services: [], capture: [] },
      issuedAt: NOW - 5 * MINUTE,
      expiresAt: JNS_NOW.end,
      ...grant,
    },
    articles: ['III.A.1'],
    audience: { kind: 'lesson' },
    signedAt: NOW - 5 * MINUTE,
    ...payload,
  }) as { keyId: string; signature: string; payload: { grant: { id: string } } & Record<string, unknown> };
}

export function grantRestoreSuite(api: ReturnType<typeof useApi>): void {
  describe('grants given back by laptops after a server restore', () => {
    const restore = (server: TestApi, device: DeviceAuth, grants: unknown[]) => server.call('POST', DEVICE_PATHS.grantsRestore, { as: device, body: { grants } });

    it('keeps a lost grant again, once, with its teacher, reason, articles and groups; its applied events count again; audited under the laptop', async () => {
      const server = await api.start();
      const sanne = await server.enroll('sanne');
      const daan = await server.enroll('daan');
      const lost = lostGrant(server, sanne);
      const id = lost.payload.grant.id;
      // The laptops' events came back first (they resend what the restored server lacks); the grant was not there to count them.
      expect((await server.applied(sanne, id, NOW - 4 * MINUTE)).body).toMatchObject({ accepted: 1 });
      expect((await server.applied(daan, id, NOW - 3 * MINUTE)).body).toMatchObject({ accepted: 1 });

      const reply = await restore(server, sanne, [lost]);
      expect(reply.status, reply.text).toBe(200);
      expect(reply.body.outcomes).toEqual([{ index: 0, grantId: id, status: 'restored' }]);

      const leader = await server.login('de-vries');
      const log = (await server.call('GET', '/api/v1/exceptions', { as: leader })).body;
      expect(log.total).toBe(1);
      expect(log.rows[0]).toMatchObject({
        id, issuedBy: { username: 'jansen', role: 'teacher', teacherCode: 'JNS' }, reason: REASON, articles: ['III.A.1'], groups: ['v4a'],
        audience: { kind: 'lesson' }, scope: lessonScope, issuedAt: NOW - 5 * MINUTE, expiresAt: JNS_NOW.end, revokedAt: null, devicesApplied: 2,
      });
      const detail = (await server.call('GET', `/api/v1/exceptions/${id}`, { as: leader })).body;
      expect(detail.devices.map((d: { hostname: string; appliedAt: number }) => [d.hostname, d.appliedAt]).sort())
        .toEqual([['laptop-daan', NOW - 3 * MINUTE], ['laptop-sanne', NOW - 4 * MINUTE]]);
      // The detail says where the record came from, and shows what the server signed then.
      expect(detail.restoredFromHostname).toBe('laptop-sanne');
      expect(detail.grant).toMatchObject({ restoredFrom: sanne.deviceId, signed: { payload: { type: 'lesmodus.device-grant.v1', deviceId: sanne.deviceId } } });
      expect(verifySignature(detail.grant.signed, server.signer.publicKeyPem)).toBe(true);

      // Daan's laptop gives back its own copy (signed for it): the server has it, nothing changes.
      const again = await restore(server, daan, [lostGrant(server, daan, { id })]);
      expect(again.body.outcomes).toEqual([{ index: 0, grantId: id, status: 'known' }]);
      expect((await restore(server, sanne, [lost])).body.outcomes[0].status).toBe('known');
      expect((await server.call('GET', '/api/v1/exceptions', { as: leader })).body.total).toBe(1);

      const audit = (await server.call('GET', '/api/v1/audit', { as: leader })).body.rows.filter((r: { action: string }) => r.action === 'restore-grant');
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ username: `device:${sanne.deviceId}`, subject: { kind: 'exception', id }, schoolId: 'svok-college' });
      expect(audit[0].detail).toMatch(/laptop laptop-sanne .* after a server restore; issued by jansen/);
    });

    it('refuses a grant altered on the laptop, signed by another key, signed for another laptop, or not a grant; stores none of them', async () => {
      const server = await api.start();
      const sanne = await server.enroll('sanne');
      const daan = await server.enroll('daan');
      const genuine = lostGrant(server, sanne);
      const altered = { ...genuine, payload: { ...genuine.payload, grant: { ...genuine.payload.grant, reason: 'Zomaar, de hele dag' } } };
      const longer = { ...genuine, payload: { ...genuine.payload, grant: { ...genuine.payload.grant, expiresAt: JNS_NOW.end + 60 * MINUTE } } };
      const forged = signPayload(genuine.payload, generateSigningKeyPair().privateKeyPem, genuine.keyId);
      const daans = lostGrant(server, daan);
      const schedule = server.signer.sign({ type: 'lesmodus.schedule.v1', deviceId: sanne.deviceId });
      const reply = await restore(server, sanne, [altered, longer, forged, daans, schedule, 'nonsense']);
      expect(reply.status, reply.text).toBe(200);
      expect(reply.body.outcomes.map((o: { status: string; reason: string }) => [o.status, o.reason.split(':')[0]])).toEqual([
        ['refused', 'bad-signature'], ['refused', 'bad-signature'], ['refused', 'bad-signature'], ['refused', 'other-device'],
        ['refused', 'wrong-type'], ['refused', 'malformed'],
      ]);
      const leader = await server.login('de-vries');
      expect((await server.call('GET', '/api/v1/exceptions', { as: leader })).body.total).toBe(0);
      expect((await server.call('GET', '/api/v1/audit', { as: leader })).body.rows.filter((r: { action: string }) => r.action.startsWith('restore-grant'))).toEqual([]);
      // The genuine one, given back by the laptop it was signed for, is kept.
      expect((await restore(server, sanne, [genuine])).body.outcomes[0].status).toBe('restored');
    });

    it('refuses a grant signed for this laptop under another school (a laptop moved since); takes back a revocation the server lost', async () => {
      const server = await api.start();
      const sanne = await server.enroll('sanne');
      const elsewhere = lostGrant(server, sanne, {}, { schoolId: 'het-lyceum' });
      expect((await restore(server, sanne, [elsewhere])).body.outcomes[0]).toMatchObject({ status: 'refused', reason: expect.stringMatching(/^other-school/) });

      // Issued before the backup (the server has it), revoked after it (the server lost that): the laptop's copy says so.
      const jansen = await server.login('jansen');
      const issued = (await server.call('POST', '/api/v1/grants', { as: jansen, body: { scope: lessonScope, allow: { categories: ['social'] }, reason: REASON } })).body;
      const [held] = (await server.call('GET', DEVICE_PATHS.grants, { as: sanne })).body.grants;
      const revoked = server.signer.sign({ ...held.payload, grant: { ...held.payload.grant, revokedAt: NOW + MINUTE } });
      expect((await restore(server, sanne, [revoked])).body.outcomes[0]).toMatchObject({ grantId: issued.id, status: 'known' });
      const summary = (await server.call('GET', `/api/v1/grants/${issued.id}`, { as: jansen })).body;
      // Who revoked it is not in what the laptop holds; the grant itself stays the server's own record of issue.
      expect(summary.grant).toMatchObject({ revokedAt: NOW + MINUTE, revokedBy: null, status: 'active', restoredFrom: null });
      server.now = NOW + 2 * MINUTE;
      expect((await server.call('GET', `/api/v1/grants/${issued.id}`, { as: jansen })).body.grant.status).toBe('revoked');
      // Audited once, under the laptop; given back again, nothing changes.
      expect((await restore(server, sanne, [revoked])).body.outcomes[0].status).toBe('known');
      const audit = (await server.call('GET', '/api/v1/audit', { as: await server.login('de-vries') })).body.rows
        .filter((r: { action: string }) => r.action.startsWith('restore-grant'));
      expect(audit).toMatchObject([{ action: 'restore-grant-revocation', username: `device:${sanne.deviceId}`, subject: { kind: 'exception', id: issued.id } }]);
    });

    it('keeps a grant for a lesson the restored timetable lacks for the laptop that held it, rather than lose its record', async () => {
      const server = await api.start();
      const sanne = await server.enroll('sanne');
      const gone = lostGrant(server, sanne, { scope: { ...lessonScope, lessonUid: 'extra-les@demo' } });
      expect((await restore(server, sanne, [gone])).body.outcomes[0].status).toBe('restored');
      const row = (await server.call('GET', '/api/v1/exceptions', { as: await server.login('de-vries') })).body.rows[0];
      expect(row).toMatchObject({ id: gone.payload.grant.id, reason: REASON, audience: { kind: 'device', deviceId: sanne.deviceId } });
    });

    it('keeps a grant two laptops give back at the same moment once: one restores it, the other finds it known', async () => {
      const server = await api.start();
      const sanne = await server.enroll('sanne');
      const daan = await server.enroll('daan');
      const sannes = lostGrant(server, sanne);
      const daans = lostGrant(server, daan, { id: sannes.payload.grant.id });
      const replies = await Promise.all([restore(server, sanne, [sannes]), restore(server, daan, [daans])]);
      expect(replies.map((r) => r.status)).toEqual([200, 200]);
      expect(replies.map((r) => r.body.outcomes[0].status).sort()).toEqual(['known', 'restored']);
      const leader = await server.login('de-vries');
      expect((await server.call('GET', '/api/v1/exceptions', { as: leader })).body.total).toBe(1);
      expect((await server.call('GET', '/api/v1/audit', { as: leader })).body.rows.filter((r: { action: string }) => r.action === 'restore-grant')).toHaveLength(1);
    });

    it('a laptop giving back a grant the server has counts its own applied events, should they not be counted yet (the server died after storing the grant)', async () => {
      const server = await api.start();
      const sanne = await server.enroll('sanne');
      const daan = await server.enroll('daan');
      const sannes = lostGrant(server, sanne);
      const id = sannes.payload.grant.id;
      await server.applied(sanne, id, NOW - 4 * MINUTE);
      await server.applied(daan, id, NOW - 3 * MINUTE);
      const { payload } = sannes as unknown as { payload: { grant: Parameters<TestApi['store']['createGrant']>[0]['grant']; articles: string[] } };
      await server.store.createGrant({ schoolId: 'svok-college', grant: payload.grant, signed: JSON.stringify(sannes), articles: payload.articles, audience: { kind: 'lesson' } }, NOW);
      const jansen = await server.login('jansen');
      const applied = async () => (await server.call('GET', `/api/v1/grants/${id}`, { as: jansen })).body.devicesApplied;
      expect(await applied()).toBe(0);
      expect((await restore(server, daan, [lostGrant(server, daan, { id })])).body.outcomes[0].status).toBe('known');
      expect(await applied()).toBe(1);
      expect((await restore(server, sanne, [sannes])).body.outcomes[0].status).toBe('known');
      expect(await applied()).toBe(2);
    });

    it('asks for a list of grants of sane length, from an enrolled laptop only', async () => {
      const server = await api.start();
      const sanne = await server.enroll('sanne');
      expect((await restore(server, sanne, [])).status).toBe(400);
      const tooMany = Array.from({ length: MAX_GRANTS_PER_RESTORE + 1 }, () => ({}));
      expect((await restore(server, sanne, tooMany)).status).toBe(400);
      expect((await server.call('POST', DEVICE_PATHS.grantsRestore, { body: { grants: [{}] } })).status).toBe(401);
    });
  });
}
