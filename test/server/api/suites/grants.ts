import { describe, expect, it } from 'vitest';
import { generateSigningKeyPair, signPayload, verifySignature } from '../../../../src/adapters/signing.ts';
import type { useApi } from '../harness.ts';
import { DAY, HOUR, JNS_CANCELLED, JNS_NEXT, JNS_NOW, MINUTE, NOW, PTR_NOW } from '../school.ts';

const lessonScope = (lesson: { uid: string; start: number }) => ({ kind: 'lesson', lessonUid: lesson.uid, lessonStart: lesson.start });
const SOCIAL = { categories: ['social'] };
const REASON = 'Instagram-campagne analyseren voor het vak Nederlands';

export function grantSuite(api: ReturnType<typeof useApi>): void {
  describe('grants', () => {
    it('lets a teacher grant for their own lesson: signed, resting on III.A.1, expiring at lesson end, reaching its groups', async () => {
      const server = await api.start();
      const jansen = await server.login('jansen');
      const reply = await server.call('POST', '/api/v1/grants', { as: jansen, body: { scope: lessonScope(JNS_NOW), allow: SOCIAL, reason: REASON } });
      expect(reply.status).toBe(201);
      const view = reply.body;
      expect(view).toMatchObject({
        schoolId: 'svok-college',
        articles: ['III.A.1'],
        audience: { kind: 'lesson' },
        groups: ['v4a'],
        status: 'active',
        startsAt: NOW,
        grant: {
          issuedBy: { username: 'jansen', role: 'teacher', teacherCode: 'JNS', name: 'Dhr. Jansen' },
          reason: REASON,
          scope: lessonScope(JNS_NOW),
          allow: { categories: ['social'], services: [], capture: [] },
          issuedAt: NOW,
          expiresAt: JNS_NOW.end,
        },
      });
      expect(view.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(verifySignature(view.signed, server.signer.publicKeyPem)).toBe(true);
      expect(view.signed.payload).toMatchObject({ type: 'lesmodus.issued-grant.v1', grant: { id: view.id }, audience: { kind: 'lesson' } });
    });

    it("refuses a teacher's grant for another teacher's lesson, a time window, a student of their choice, and an unknown lesson", async () => {
      const server = await api.start();
      const jansen = await server.login('jansen');
      const other = await server.call('POST', '/api/v1/grants', { as: jansen, body: { scope: lessonScope(PTR_NOW), allow: SOCIAL, reason: REASON } });
      expect(other.status).toBe(403);
      expect(other.body.message).toMatch(/lessons you teach/);
      // The portal asks in Dutch and is told in Dutch; the English text (with the teacher code) stays in detail.
      const dutch = await server.call('POST', '/api/v1/grants', { as: jansen, headers: { 'accept-language': 'nl' }, body: { scope: lessonScope(PTR_NOW), allow: SOCIAL, reason: REASON } });
      expect(dutch.status).toBe(403);
      expect(dutch.body.message).toBe('U kunt alleen een uitzondering geven voor lessen die u zelf geeft; JNS staat niet bij deze les.');
      expect(dutch.body.detail).toMatch(/lessons you teach/);
      const window = await server.call('POST', '/api/v1/grants', {
        as: jansen, body: { scope: { kind: 'window', start: NOW, end: NOW + HOUR }, audience: { kind: 'groups', groups: ['v4a'] }, allow: SOCIAL, reason: REASON },
      });
      expect(window.status).toBe(403);
      const student = await server.call('POST', '/api/v1/grants', {
        as: jansen, body: { scope: lessonScope(JNS_NOW), audience: { kind: 'student', studentId: 's1' }, allow: SOCIAL, reason: REASON },
      });
      expect(student.status).toBe(403);
      const ghost = await server.call('POST', '/api/v1/grants', { as: jansen, body: { scope: { ...lessonScope(JNS_NOW), lessonStart: JNS_NOW.start + DAY }, allow: SOCIAL, reason: REASON } });
      expect(ghost.status).toBe(404);
      expect((await server.call('GET', '/api/v1/grants', { as: jansen })).body.total).toBe(0);
    });

    it('lets a teacher grant ahead for a later lesson of theirs, not for a cancelled or finished one', async () => {
      const server = await api.start();
      const jansen = await server.login('jansen');
      const later = await server.call('POST', '/api/v1/grants', { as: jansen, body: { scope: lessonScope(JNS_NEXT), allow: SOCIAL, reason: REASON } });
      expect(later.status).toBe(201);
      expect(later.body.startsAt).toBe(JNS_NEXT.start);
      const cancelled = await server.call('POST', '/api/v1/grants', { as: jansen, body: { scope: lessonScope(JNS_CANCELLED), allow: SOCIAL, reason: REASON } });
      expect(cancelled.status).toBe(400);
      expect(cancelled.body.issues).toEqual([{ path: 'body.scope', message: 'the lesson is cancelled' }]);
      server.now = JNS_NOW.end + MINUTE;
      const ended = await server.call('POST', '/api/v1/grants', { as: jansen, body: { scope: lessonScope(JNS_NOW), allow: SOCIAL, reason: REASON } });
      expect(ended.status).toBe(400);
    });

    it('names what is wrong: a missing reason, nothing to allow, something the policy does not block, an unknown service, a late expiry', async () => {
      const server = await api.start();
      const jansen = await server.login('jansen');
      const post = (body: Record<string, unknown>) => server.call('POST', '/api/v1/grants', { as: jansen, body: { scope: lessonScope(JNS_NOW), allow: SOCIAL, reason: REASON, ...body } });
      expect((await post({ reason: undefined })).body.issues).toEqual([{ path: 'body.reason', message: 'is required' }]);
      expect((await post({ reason: '  ' })).body.issues[0].path).toBe('body.reason');
      expect((await post({ allow: {} })).body.issues[0]).toMatchObject({ path: 'body.allow' });
      const video = await post({ allow: { categories: ['video'] } });
      expect(video.status).toBe(400);
      expect(video.body.issues).toEqual([{ path: 'body.allow.categories[0]', message: 'category "video" is not blocked by the policy, so there is nothing to allow' }]);
      expect((await post({ allow: { services: ['not-a-service'] } })).body.issues[0].path).toBe('body.allow.services[0]');
      expect((await post({ expiresAt: JNS_NOW.end + MINUTE })).body.issues[0].path).toBe('body.expiresAt');
      expect((await post({ extra: 1 })).body.issues[0].path).toBe('body.extra');
    });

    it('lets a teacher end a grant early, and lift a catalog service', async () => {
      const server = await api.start();
      const jansen = await server.login('jansen');
      const reply = await server.call('POST', '/api/v1/grants', {
        as: jansen, body: { scope: lessonScope(JNS_NOW), allow: { services: ['instagram'] }, reason: REASON, expiresAt: NOW + 10 * MINUTE },
      });
      expect(reply.status).toBe(201);
      expect(reply.body).toMatchObject({ articles: ['III.A.1'], grant: { expiresAt: NOW + 10 * MINUTE, allow: { services: ['instagram'] } } });
    });

    it('lets a leader grant a time window to a group, resting on III.A.3 for recordings', async () => {
      const server = await api.start();
      const leader = await server.login('de-vries');
      const body = { scope: { kind: 'window', start: NOW, end: NOW + 2 * DAY }, audience: { kind: 'groups', groups: ['v4b'] }, allow: { categories: ['camera'], capture: ['camera'] }, reason: 'Filmopdracht CKV' };
      const reply = await server.call('POST', '/api/v1/grants', { as: leader, body });
      expect(reply.status).toBe(201);
      expect(reply.body).toMatchObject({ articles: ['III.A.3'], audience: { kind: 'groups', groups: ['v4b'] }, groups: ['v4b'], grant: { issuedBy: { role: 'leader' }, expiresAt: NOW + 2 * DAY } });
      expect(reply.body.grant.issuedBy.teacherCode).toBeUndefined();
      expect(verifySignature(reply.body.signed, server.signer.publicKeyPem)).toBe(true);
    });

    it("lets a leader grant for any teacher's lesson and for one student", async () => {
      const server = await api.start();
      const leader = await server.login('de-vries');
      expect((await server.call('POST', '/api/v1/grants', { as: leader, body: { scope: lessonScope(PTR_NOW), allow: SOCIAL, reason: REASON } })).status).toBe(201);
      const student = await server.call('POST', '/api/v1/grants', {
        as: leader, body: { scope: { kind: 'window', start: NOW, end: NOW + HOUR }, audience: { kind: 'student', studentId: 's3' }, allow: SOCIAL, reason: REASON },
      });
      expect(student.status).toBe(201);
      expect(student.body.groups).toEqual(['v4b']);
    });

    it("refuses a leader's window without an audience or with an unknown group or student", async () => {
      const server = await api.start();
      const leader = await server.login('de-vries');
      const window = { kind: 'window', start: NOW, end: NOW + HOUR };
      const post = (audience: unknown) => server.call('POST', '/api/v1/grants', { as: leader, body: { scope: window, allow: SOCIAL, reason: REASON, audience } });
      expect((await post(undefined)).body.issues[0].path).toBe('body.audience');
      expect((await post({ kind: 'groups', groups: ['v4a', 'v9z'] })).body.issues).toEqual([{ path: 'body.audience.groups[1]', message: 'there is no group "v9z" at school "svok-college"' }]);
      expect((await post({ kind: 'student', studentId: 'nobody' })).body.issues[0].path).toBe('body.audience.studentId');
      const endless = await server.call('POST', '/api/v1/grants', { as: leader, body: { scope: { kind: 'window', start: NOW, end: NOW + 365 * DAY }, audience: { kind: 'groups', groups: ['v4a'] }, allow: SOCIAL, reason: REASON } });
      expect(endless.body.issues[0].path).toBe('body.scope.end');
    });

    it("keeps a leader of another school out of this school's lessons and grants", async () => {
      const server = await api.start();
      const jansen = await server.login('jansen');
      const grant = (await server.call('POST', '/api/v1/grants', { as: jansen, body: { scope: lessonScope(JNS_NOW), allow: SOCIAL, reason: REASON } })).body;
      const other = await server.login('bakker');
      expect((await server.call('POST', '/api/v1/grants', { as: other, body: { scope: lessonScope(JNS_NOW), allow: SOCIAL, reason: REASON, schoolId: 'svok-college' } })).status).toBe(403);
      expect((await server.call('GET', `/api/v1/grants/${grant.id}`, { as: other })).status).toBe(404);
      expect((await server.call('POST', `/api/v1/grants/${grant.id}/revoke`, { as: other, body: {} })).status).toBe(404);
      expect((await server.call('GET', `/api/v1/exceptions/${grant.id}`, { as: other })).status).toBe(404);
    });

    it('lets the issuer or a leader revoke, once; another teacher cannot even see it', async () => {
      const server = await api.start();
      const jansen = await server.login('jansen');
      const grant = (await server.call('POST', '/api/v1/grants', { as: jansen, body: { scope: lessonScope(JNS_NOW), allow: SOCIAL, reason: REASON } })).body;
      const pieters = await server.login('pieters');
      expect((await server.call('GET', `/api/v1/grants/${grant.id}`, { as: pieters })).status).toBe(404);
      expect((await server.call('POST', `/api/v1/grants/${grant.id}/revoke`, { as: pieters })).status).toBe(404);
      server.now += 5 * MINUTE;
      const revoked = await server.call('POST', `/api/v1/grants/${grant.id}/revoke`, { as: jansen });
      expect(revoked.status).toBe(200);
      expect(revoked.body).toMatchObject({ status: 'revoked', revokedAt: NOW + 5 * MINUTE, revokedBy: 'jansen', grant: { revokedAt: NOW + 5 * MINUTE } });
      server.now += MINUTE;
      const leader = await server.login('de-vries');
      const again = await server.call('POST', `/api/v1/grants/${grant.id}/revoke`, { as: leader });
      expect(again.body).toMatchObject({ revokedAt: NOW + 5 * MINUTE, revokedBy: 'jansen' });
    });

    it('lists a teacher\'s grants for their lesson and shows how many devices applied one', async () => {
      const server = await api.start();
      const jansen = await server.login('jansen');
      const sanne = await server.enroll('sanne');
      await server.enroll('daan');
      await server.enroll('emma');
      const grant = (await server.call('POST', '/api/v1/grants', { as: jansen, body: { scope: lessonScope(JNS_NOW), allow: SOCIAL, reason: REASON } })).body;
      expect((await server.applied(sanne, grant.id, NOW + 1000)).status).toBe(200);
      const summary = await server.call('GET', `/api/v1/grants/${grant.id}`, { as: jansen });
      expect(summary.body).toMatchObject({ devicesExpected: 2, devicesApplied: 1, grant: { id: grant.id } });
      const list = await server.call('GET', `/api/v1/grants?lessonUid=${encodeURIComponent(JNS_NOW.uid)}&lessonStart=${JNS_NOW.start}`, { as: jansen });
      expect(list.body).toMatchObject({ total: 1, rows: [{ id: grant.id, devicesApplied: 1 }] });
    });

    it('refuses grants by an admin, and every grant route without a session', async () => {
      const server = await api.start();
      const admin = await server.login('beheer');
      expect((await server.call('POST', '/api/v1/grants', { as: admin, body: { scope: lessonScope(JNS_NOW), allow: SOCIAL, reason: REASON } })).status).toBe(403);
      expect((await server.call('POST', '/api/v1/grants', { body: { scope: lessonScope(JNS_NOW), allow: SOCIAL, reason: REASON } })).status).toBe(401);
      expect((await server.call('GET', '/api/v1/grants')).status).toBe(401);
      expect((await server.call('GET', '/api/v1/grants/x')).status).toBe(401);
      expect((await server.call('POST', '/api/v1/grants/x/revoke')).status).toBe(401);
    });
  });

  describe('Idempotency-Key on POST /api/v1/grants', () => {
    const body = { scope: lessonScope(JNS_NOW), allow: SOCIAL, reason: REASON };
    const withKey = (key: string) => ({ 'idempotency-key': key });
    const stored = async (server: Awaited<ReturnType<typeof api.start>>) => (await server.store.exceptionLog({ at: server.now }, { limit: 100, offset: 0 })).total;

    it('answers the same grant again (200, Idempotent-Replayed) for the same key and body, storing and pushing nothing new', async () => {
      const server = await api.start();
      const jansen = await server.login('jansen');
      const first = await server.call('POST', '/api/v1/grants', { as: jansen, body, headers: withKey('attempt-1') });
      expect(first.status).toBe(201);
      expect(first.headers.get('idempotent-replayed')).toBeNull();
      let pushed = 0;
      const publish = server.context.hub.publish.bind(server.context.hub);
      server.context.hub.publish = (change) => { pushed++; return publish(change); };
      // The answer was lost; the teacher clicks again a little later (the key's body even in another key order).
      server.now += MINUTE;
      const again = await server.call('POST', '/api/v1/grants', { as: jansen, body: { reason: REASON, allow: SOCIAL, scope: lessonScope(JNS_NOW) }, headers: withKey('attempt-1') });
      expect(again.status).toBe(200);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.body).toEqual(first.body);
      expect(pushed).toBe(0);
      expect(await stored(server)).toBe(1);
      // Without a key, or with a new one, it is a new exception.
      expect((await server.call('POST', '/api/v1/grants', { as: jansen, body, headers: withKey('attempt-2') })).status).toBe(201);
      expect((await server.call('POST', '/api/v1/grants', { as: jansen, body })).status).toBe(201);
      expect(pushed).toBe(2);
      expect(await stored(server)).toBe(3);
    });

    it('still answers a retry after the lesson ended, and forgets the key after 24 hours', async () => {
      const server = await api.start();
      const jansen = await server.login('jansen');
      const first = await server.call('POST', '/api/v1/grants', { as: jansen, body, headers: withKey('k') });
      server.now = JNS_NOW.end + MINUTE;
      const retry = await server.call('POST', '/api/v1/grants', { as: jansen, body, headers: withKey('k') });
      expect(retry.status).toBe(200);
      expect(retry.body.id).toBe(first.body.id);
      server.now = NOW + DAY;
      const jansenAgain = await server.login('jansen');
      // Forgotten: the request is judged afresh (and the lesson is over).
      expect((await server.call('POST', '/api/v1/grants', { as: jansenAgain, body, headers: withKey('k') })).status).toBe(400);
    });

    it('refuses the same key with another body (409), and keeps keys of other users apart', async () => {
      const server = await api.start();
      const jansen = await server.login('jansen');
      expect((await server.call('POST', '/api/v1/grants', { as: jansen, body, headers: withKey('shared') })).status).toBe(201);
      const other = await server.call('POST', '/api/v1/grants', { as: jansen, body: { ...body, reason: 'Iets anders voor Nederlands' }, headers: withKey('shared') });
      expect(other.status).toBe(409);
      expect(other.body).toMatchObject({ error: 'conflict', message: expect.stringMatching(/this Idempotency-Key was used for another exception/i) });
      const leader = await server.login('de-vries');
      const leaders = await server.call('POST', '/api/v1/grants', { as: leader, body: { scope: lessonScope(PTR_NOW), allow: SOCIAL, reason: REASON }, headers: withKey('shared') });
      expect(leaders.status).toBe(201);
      expect(await stored(server)).toBe(2);
    });

    it('refuses a malformed key with a 400 naming the header, storing nothing', async () => {
      const server = await api.start();
      const jansen = await server.login('jansen');
      for (const key of ['', 'has space', 'x'.repeat(129), 'ü-key', 'a,b']) {
        const reply = await server.call('POST', '/api/v1/grants', { as: jansen, body, headers: withKey(key) });
        expect(reply.status, key).toBe(400);
        expect(reply.body.issues).toEqual([{ path: 'headers.Idempotency-Key', message: expect.stringMatching(/1 to 128 characters/) }]);
        expect(reply.body.message).toContain('Idempotency-Key');
      }
      expect((await server.call('POST', '/api/v1/grants', { as: jansen, body, headers: withKey('x'.repeat(128)) })).status).toBe(201);
      expect(await stored(server)).toBe(1);
    });

    it('makes one grant when the same request arrives twice at once', async () => {
      const server = await api.start();
      const jansen = await server.login('jansen');
      const sanne = await server.enroll('sanne');
      const replies = await Promise.all([1, 2, 3].map(() => server.call('POST', '/api/v1/grants', { as: jansen, body, headers: withKey('double-click') })));
      expect(replies.map((r) => r.status).sort()).toEqual([200, 200, 201]);
      expect(new Set(replies.map((r) => r.body.id)).size).toBe(1);
      expect(await stored(server)).toBe(1);
      expect((await server.call('GET', '/api/v1/device/grants', { as: sanne })).body.grants).toHaveLength(1);
    });
  });

  describe('signatures', () => {
    it('verify for every grant a device receives, and never for a tampered, forged or re-addressed one', async () => {
      const server = await api.start();
      const jansen = await server.login('jansen');
      const device = await server.enroll('sanne');
      await server.call('POST', '/api/v1/grants', { as: jansen, body: { scope: lessonScope(JNS_NOW), allow: SOCIAL, reason: REASON } });
      const { grants } = (await server.call('GET', '/api/v1/device/grants', { as: device })).body;
      expect(grants).toHaveLength(1);
      const signed = grants[0];
      const key = server.signer.publicKeyPem;
      expect(verifySignature(signed, key)).toBe(true);
      expect(signed.keyId).toBe(server.signer.keyId);
      expect(signed.payload).toMatchObject({ type: 'lesmodus.device-grant.v1', deviceId: device.deviceId, articles: ['III.A.1'] });

      const tampered = [
        { ...signed, payload: { ...signed.payload, grant: { ...signed.payload.grant, expiresAt: signed.payload.grant.expiresAt + HOUR } } },
        { ...signed, payload: { ...signed.payload, grant: { ...signed.payload.grant, allow: { ...signed.payload.grant.allow, categories: ['social', 'camera'] } } } },
        { ...signed, payload: { ...signed.payload, deviceId: 'another-device' } },
      ];
      for (const t of tampered) expect(verifySignature(t, key)).toBe(false);
      const impostor = generateSigningKeyPair();
      expect(verifySignature(signPayload(signed.payload, impostor.privateKeyPem, signed.keyId), key)).toBe(false);
    });

    it('sign a device\'s 14-day schedule for that device', async () => {
      const server = await api.start();
      const device = await server.enroll('sanne');
      const reply = await server.call('GET', '/api/v1/device/schedule', { as: device });
      expect(reply.status).toBe(200);
      expect(verifySignature(reply.body, server.signer.publicKeyPem)).toBe(true);
      const payload = reply.body.payload;
      expect(payload).toMatchObject({ type: 'lesmodus.schedule.v1', deviceId: device.deviceId, studentId: 's1', schoolId: 'svok-college', timeZone: 'Europe/Amsterdam' });
      expect(payload.to - payload.from).toBe(14 * DAY);
      expect(payload.lessons.map((l: { uid: string }) => l.uid)).toEqual([JNS_NOW.uid, 'ne-v4c@demo']);
      expect(verifySignature({ ...reply.body, payload: { ...payload, lessons: [] } }, server.signer.publicKeyPem)).toBe(false);
    });
  });
}
