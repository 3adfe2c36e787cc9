import { waitFor } from '../../../helpers/wait-for.ts';
import { describe, expect, it } from 'vitest';
import { verifySignature } from '../../../../src/adapters/signing.ts';
import type { DeviceEvent } from '../../../../src/core/events/schema.ts';
import { EnrollmentSecretFile } from '../../../../src/server/auth/enrollment-secrets.ts';
import type { TestApi, useApi } from '../harness.ts';
import { JNS_NOW, MINUTE, NOW, PASSWORD, PTR_NOW } from '../school.ts';

const lessonScope = { kind: 'lesson', lessonUid: JNS_NOW.uid, lessonStart: JNS_NOW.start };
const REASON = 'Instagram-campagne analyseren';
const DAY_MS = 24 * 60 * MINUTE;

function uuid(n: number): string {
  return `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

function tamper(n: number): DeviceEvent {
  return { id: uuid(n), seq: n, type: 'tamper', occurredAt: NOW + n, policyVersion: '2025-12-14.1', payload: { kind: 'clock-jump', detail: `event ${n}` } };
}

/** Reads Server-Sent Events from a live response, one parsed event at a time. */
class SseReader {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #decoder = new TextDecoder();
  #buffer = '';
  readonly comments: string[] = [];

  constructor(body: ReadableStream<Uint8Array>) {
    this.#reader = body.getReader();
  }

  async next(): Promise<{ event: string; data: any; id?: string } | null> {
    for (;;) {
      const end = this.#buffer.indexOf('\n\n');
      if (end >= 0) {
        const block = this.#buffer.slice(0, end);
        this.#buffer = this.#buffer.slice(end + 2);
        const fields = new Map<string, string>();
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
          else fields.set(line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trimStart());
        }
        if (!fields.has('event')) continue;
        return { event: fields.get('event')!, data: JSON.parse(fields.get('data')!), ...(fields.has('id') ? { id: fields.get('id')! } : {}) };
      }
      const { value, done } = await this.#reader.read();
      if (done) return null;
      this.#buffer += this.#decoder.decode(value, { stream: true });
    }
  }

  /** The next event that is not one of the initial grants; fails on end of stream. */
  async until(name: string): Promise<{ event: string; data: any; id?: string }> {
    for (;;) {
      const event = await this.next();
      if (event === null) throw new Error(`the stream ended before a "${name}" event`);
      if (event.event === name) return event;
    }
  }

  async cancel(): Promise<void> {
    await this.#reader.cancel();
  }
}

async function openStream(server: TestApi, credential: string): Promise<{ reader: SseReader; response: Response; abort: AbortController }> {
  const abort = new AbortController();
  const response = await fetch(`${server.url}/api/v1/device/stream`, { headers: { authorization: `Bearer ${credential}` }, signal: abort.signal });
  return { reader: new SseReader(response.body!), response, abort };
}

export function deviceSuite(api: ReturnType<typeof useApi>): void {
  describe('device enrollment', () => {
    it("enrolls with the secret, assigns the student by the school's device rule (laptop-<login>), and never shows the credential's hash", async () => {
      const server = await api.start();
      const reply = await server.call('POST', '/api/v1/devices/enroll', {
        body: { enrollmentSecret: server.enrollmentSecret, hostname: 'LAPTOP-SANNE', serial: 'SN42', os: 'win32', agentVersion: '0.1.0', loginName: 'sanne' },
      });
      expect(reply.status).toBe(201);
      expect(reply.body).toMatchObject({ schoolId: 'svok-college', studentId: 's1', keyId: server.signer.keyId });
      expect(reply.body.credential).toMatch(new RegExp(`^lmd1\\.${reply.body.deviceId}\\.`));
      const stored = await server.store.device(reply.body.deviceId);
      expect(stored).toMatchObject({ hostname: 'LAPTOP-SANNE', serial: 'SN42', os: 'win32', agentVersion: '0.1.0', loginName: 'sanne', studentId: 's1' });
      expect(stored!.credentialHash).not.toContain(reply.body.credential.split('.')[2]);
    });

    it('is the same device when it enrolls again with its key (a lost answer): a new credential, the unseen one void', async () => {
      const server = await api.start();
      const body = { enrollmentSecret: server.enrollmentSecret, hostname: 'laptop-sanne', serial: null, os: 'linux', agentVersion: '0.1.0', loginName: 'sanne', enrollmentKey: 'k'.repeat(43) };
      const first = await server.call('POST', '/api/v1/devices/enroll', { body });
      const again = await server.call('POST', '/api/v1/devices/enroll', { body: { ...body, hostname: 'LAPTOP-42b' } });
      expect(first.status).toBe(201);
      expect(again.status).toBe(201);
      expect(again.body.deviceId).toBe(first.body.deviceId);
      expect(first.body.deviceId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(again.body.credential).not.toBe(first.body.credential);
      const heartbeat = (credential: string) => server.call('POST', '/api/v1/device/heartbeat', { as: { kind: 'device', deviceId: first.body.deviceId, credential }, body: {} });
      expect((await heartbeat(first.body.credential)).status).toBe(401);
      expect((await heartbeat(again.body.credential)).status).toBe(200);
      expect(await server.store.device(first.body.deviceId)).toMatchObject({ hostname: 'LAPTOP-42b', studentId: 's1' });
      const other = await server.call('POST', '/api/v1/devices/enroll', { body: { ...body, enrollmentKey: 'q'.repeat(43) } });
      expect(other.body.deviceId).not.toBe(first.body.deviceId);
      const short = await server.call('POST', '/api/v1/devices/enroll', { body: { ...body, enrollmentKey: 'too-short' } });
      expect(short.body.issues[0]).toMatchObject({ path: 'body.enrollmentKey', message: expect.stringMatching(/base64url/) });
    });

    it('refuses a wrong secret (401), slows guessing from one address (429), never refuses the right secret from there, and names a missing field (400)', async () => {
      const server = await api.start();
      const body = { enrollmentSecret: 'lme1.wrong', hostname: 'x', serial: null, os: 'linux', agentVersion: '0.1.0', loginName: null };
      expect((await server.call('POST', '/api/v1/devices/enroll', { body })).status).toBe(401);
      const missing = await server.call('POST', '/api/v1/devices/enroll', { body: { ...body, os: undefined } });
      expect(missing.body.issues).toEqual([{ path: 'body.os', message: 'is required' }]);
      // A school's laptops share one NAT address: 100 wrong secrets from it (a broken laptop, a student) do not stop the right one.
      for (let i = 0; i < 100; i++) await server.call('POST', '/api/v1/devices/enroll', { body });
      expect((await server.call('POST', '/api/v1/devices/enroll', { body })).status).toBe(429);
      expect((await server.call('POST', '/api/v1/devices/enroll', { body: { ...body, enrollmentSecret: server.enrollmentSecret } })).status).toBe(201);
    });

    it("does not give a device made with the school's secret to the student whose login it reports: none of her schedule, nothing in her name", async () => {
      const server = await api.start();
      // A student copied the secret from a readable config and enrolls devices of their own, each claiming Sanne's login.
      const fakes = [];
      for (let i = 0; i < 5; i++) {
        const reply = await server.call('POST', '/api/v1/devices/enroll', {
          body: { enrollmentSecret: server.enrollmentSecret, hostname: `PC-THUIS-${i}`, serial: `FAKE-${i}`, os: 'linux', agentVersion: '0.1.0', loginName: 'sanne' },
        });
        expect(reply.status).toBe(201);
        expect(reply.body.studentId).toBeNull();
        fakes.push({ kind: 'device' as const, deviceId: reply.body.deviceId, credential: reply.body.credential });
      }
      const schedule = await server.call('GET', '/api/v1/device/schedule', { as: fakes[0]! });
      expect(schedule.status).toBe(200);
      expect(schedule.body.payload.lessons).toEqual([]);
      // Its heartbeats keep claiming her login: still nobody's.
      await server.call('POST', '/api/v1/device/heartbeat', { as: fakes[1]!, body: { report: { hostname: 'PC-THUIS-1', os: 'linux', agentVersion: '0.1.0', loginName: 'sanne' } } });
      expect((await server.store.device(fakes[1]!.deviceId))!.studentId).toBeNull();
      // Her own laptop, named as the school names it, is hers; a device claiming that name after it is not.
      const hers = await server.enroll('sanne');
      expect((await server.store.device(hers.deviceId))!.studentId).toBe('s1');
      const copy = await server.call('POST', '/api/v1/devices/enroll', {
        body: { enrollmentSecret: server.enrollmentSecret, hostname: 'laptop-sanne', serial: 'FAKE-9', os: 'linux', agentVersion: '0.1.0', loginName: 'sanne' },
      });
      expect(copy.body.studentId).toBeNull();
    });

    it('limits how many new devices one secret enrolls per hour (429 with Retry-After); a laptop enrolling again with its key, and another secret, are not held back', async () => {
      const server = await api.start({ settings: { enrollmentsPerHour: 5 } });
      const enroll = (secret: string, n: number, enrollmentKey?: string) => server.call('POST', '/api/v1/devices/enroll', {
        body: { enrollmentSecret: secret, hostname: `nep-${n}`, serial: null, os: 'linux', agentVersion: '0.1.0', loginName: 'sanne', ...(enrollmentKey ? { enrollmentKey } : {}) },
      });
      const key = 'r'.repeat(43);
      expect((await enroll(server.enrollmentSecret, 0, key)).status).toBe(201);
      for (let n = 1; n < 5; n++) {
        server.now += MINUTE;
        expect((await enroll(server.enrollmentSecret, n)).status).toBe(201);
      }
      const refused = await enroll(server.enrollmentSecret, 5);
      expect(refused.status).toBe(429);
      expect(refused.body.message).toMatch(/as many new laptops as it may this hour/);
      expect(Number(refused.headers.get('retry-after'))).toBe(56 * 60);
      expect(server.logger.lines.some((l) => /over its hourly limit/.test(l.message))).toBe(true);
      expect((await server.store.deviceHealth('svok-college')).length).toBe(5);
      // The first laptop lost its answer and enrolls again as itself: no new device, not counted.
      expect((await enroll(server.enrollmentSecret, 0, key)).status).toBe(201);
      // Another school's (or a new) secret counts on its own.
      const { secret: other } = await new EnrollmentSecretFile(server.enrollmentSecretsPath).create('svok-college', NOW);
      expect((await enroll(other, 6)).status).toBe(201);
      // An hour after the first, the secret enrolls again.
      server.now += 57 * MINUTE;
      expect((await enroll(server.enrollmentSecret, 7)).status).toBe(201);
    });

    it('lets an admin set the device rules (audited), and a laptop nobody recognised is assigned at its next heartbeat', async () => {
      const server = await api.start();
      const loaner = await server.enroll(null, 'LEEN-7');
      expect((await server.store.device(loaner.deviceId))!.studentId).toBeNull();
      const admin = await server.login('beheer');
      const rules = { rules: [{ kind: 'hostname', value: 'leen-7', studentId: 's3' }, { kind: 'hostname-pattern', value: 'laptop-{login}' }] };
      expect((await server.call('PUT', '/api/v1/schools/svok-college/device-rules', { as: await server.login('de-vries'), body: rules })).status).toBe(403);
      const put = await server.call('PUT', '/api/v1/schools/svok-college/device-rules', { as: admin, body: rules });
      expect(put).toMatchObject({ status: 200, body: { rules: 2 } });
      const bad = await server.call('PUT', '/api/v1/schools/svok-college/device-rules', { as: admin, body: { rules: [{ kind: 'hostname-pattern', value: 'laptop' }] } });
      expect(bad.status).toBe(400);
      expect(bad.body.message).toMatch(/\{login\} or \{student\} exactly once/);
      expect((await server.call('PUT', '/api/v1/schools/svok-college/device-rules', { as: admin, body: { rules: [{ kind: 'serial', value: 'X', studentId: 'zz' }] } })).status).toBe(404);
      const got = await server.call('GET', '/api/v1/schools/svok-college/device-rules', { as: admin });
      expect(got.body.rules).toEqual([
        { kind: 'hostname', value: 'leen-7', studentId: 's3', recordedAt: new Date(NOW).toISOString() },
        { kind: 'hostname-pattern', value: 'laptop-{login}', studentId: null, recordedAt: '1970-01-01T00:00:00.001Z' },
      ]);
      const audit = await server.store.auditLog({}, { limit: 10, offset: 0 });
      expect(audit.rows.find((r) => r.action === 'replace-device-rules')).toMatchObject({ username: 'beheer', detail: '0 serial, 1 hostname, 1 hostname-pattern' });
      await server.call('POST', '/api/v1/device/heartbeat', { as: loaner, body: { report: { hostname: 'LEEN-7', os: 'win32', agentVersion: '0.1.0', loginName: null } } });
      expect((await server.store.device(loaner.deviceId))!.studentId).toBe('s3');
    });

    it('lets an admin assign an unmatched device to a student, and no one else', async () => {
      const server = await api.start();
      const device = await server.enroll(null, 'loaner-1');
      expect((await server.store.device(device.deviceId))!.studentId).toBeNull();
      const admin = await server.login('beheer');
      const leader = await server.login('de-vries');
      const body = { student: { schoolId: 'svok-college', studentId: 's3' } };
      expect((await server.call('POST', `/api/v1/devices/${device.deviceId}/assign`, { as: leader, body })).status).toBe(403);
      const assigned = await server.call('POST', `/api/v1/devices/${device.deviceId}/assign`, { as: admin, body });
      expect(assigned.status).toBe(200);
      expect(assigned.body).toMatchObject({ id: device.deviceId, studentId: 's3', hostname: 'loaner-1' });
      expect(assigned.body.credentialHash).toBeUndefined();
      expect((await server.call('POST', '/api/v1/devices/nope/assign', { as: admin, body })).status).toBe(404);
      expect((await server.call('POST', `/api/v1/devices/${device.deviceId}/assign`, { as: admin, body: { student: { schoolId: 'svok-college', studentId: 'zz' } } })).status).toBe(404);
    });
  });

  describe('device routes', () => {
    it('refuses a missing, malformed or forged credential with 401', async () => {
      const server = await api.start();
      const device = await server.enroll('sanne');
      const forged = `lmd1.${device.deviceId}.${'A'.repeat(43)}`;
      for (const path of ['/api/v1/device/schedule', '/api/v1/device/grants', '/api/v1/device/stream']) {
        expect((await server.call('GET', path)).status).toBe(401);
        expect((await server.call('GET', path, { headers: { authorization: 'Bearer nonsense' } })).status).toBe(401);
        expect((await server.call('GET', path, { headers: { authorization: `Bearer ${forged}` } })).status).toBe(401);
      }
      expect((await server.call('POST', '/api/v1/device/heartbeat', { body: {} })).status).toBe(401);
      // A teacher's session is not a device.
      const jansen = await server.login('jansen');
      expect((await server.call('GET', '/api/v1/device/grants', { as: jansen })).status).toBe(401);
    });

    it('records a heartbeat: last seen, what it reports, and its clock offset', async () => {
      const server = await api.start();
      const device = await server.enroll('sanne');
      const reply = await server.call('POST', '/api/v1/device/heartbeat', {
        as: device, body: { sentAt: NOW + 2_000, report: { hostname: 'laptop-sanne', os: 'win32', agentVersion: '0.2.0', loginName: 'sanne' } },
      });
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({ serverTime: NOW, lastEventSeq: null, clockOffsetMs: 2_000 });
      expect(await server.store.device(device.deviceId)).toMatchObject({ lastSeenAt: NOW, agentVersion: '0.2.0' });
      expect((await server.call('POST', '/api/v1/device/heartbeat', { as: device })).status).toBe(200);
      const leader = await server.login('de-vries');
      const health = await server.call('GET', '/api/v1/devices', { as: leader });
      expect(health.body.devices).toEqual([expect.objectContaining({ deviceId: device.deviceId, agentVersion: '0.2.0', lastSeenAt: NOW, studentName: 'Sanne de Vries' })]);
    });

    it('stores an event batch exactly once, rejecting malformed events alone and keeping the valid rest', async () => {
      const server = await api.start();
      const device = await server.enroll('sanne');
      const batch = [tamper(1), tamper(2), { ...tamper(3), payload: { kind: 'clock-jump', detail: 'see https://x.example' } }, tamper(2), { nonsense: true }, tamper(4)];
      const reply = await server.call('POST', '/api/v1/device/events', { as: device, body: { events: batch } });
      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({ accepted: 3, duplicates: 1, rejected: 2, lastEventSeq: 4, previousLastEventSeq: null });
      expect(reply.body.outcomes.map((o: { status: string }) => o.status)).toEqual(['accepted', 'accepted', 'rejected', 'duplicate', 'rejected', 'accepted']);
      expect(reply.body.outcomes[2]).toMatchObject({ index: 2, id: uuid(3), issues: [{ path: 'payload.detail' }] });
      expect(reply.body.outcomes[4]).toMatchObject({ index: 4, id: null });
      const again = await server.call('POST', '/api/v1/device/events', { as: device, body: { events: [tamper(4), tamper(5)] } });
      expect(again.body).toMatchObject({ accepted: 1, duplicates: 1, rejected: 0, lastEventSeq: 5, previousLastEventSeq: 4 });
      const beat = await server.call('POST', '/api/v1/device/heartbeat', { as: device, body: {} });
      expect(beat.body.lastEventSeq).toBe(5);
    });

    it('refuses an event batch that is not a list, too long, or too large', async () => {
      const server = await api.start();
      const device = await server.enroll('sanne');
      expect((await server.call('POST', '/api/v1/device/events', { as: device, body: [tamper(1)] })).body.issues[0].path).toBe('body');
      expect((await server.call('POST', '/api/v1/device/events', { as: device, body: { events: Array.from({ length: 501 }, (_, i) => tamper(i + 1)) } })).status).toBe(400);
      const huge = await server.call('POST', '/api/v1/device/events', { as: device, raw: `{"events":["${'x'.repeat(3 * 1024 * 1024)}"]}`, headers: { 'content-type': 'application/json' } });
      expect(huge.status).toBe(413);
    });

    it("counts a device's exception.applied only for grants that reach it (the event is kept either way)", async () => {
      const server = await api.start();
      const jansen = await server.login('jansen');
      const sanne = await server.enroll('sanne');
      const emma = await server.enroll('emma');
      const grant = (await server.call('POST', '/api/v1/grants', { as: jansen, body: { scope: lessonScope, allow: { categories: ['social'] }, reason: REASON } })).body;
      const applied = async () => (await server.call('GET', `/api/v1/grants/${grant.id}`, { as: jansen })).body.devicesApplied;
      // Emma's laptop (v4b) claims v4a's exception: stored as her laptop's event, not counted.
      expect((await server.applied(emma, grant.id, NOW)).body).toMatchObject({ accepted: 1 });
      expect(await applied()).toBe(0);
      expect((await server.applied(sanne, grant.id, NOW)).body).toMatchObject({ accepted: 1 });
      expect(await applied()).toBe(1);
      // There is no other way to report it.
      expect((await server.call('POST', `/api/v1/device/grants/${grant.id}/ack`, { as: sanne, body: { appliedAt: NOW } })).status).toBe(404);
      // Emma (v4b) does not get the grant for v4a at all.
      expect((await server.call('GET', '/api/v1/device/grants', { as: emma })).body.grants).toEqual([]);
    });
  });

  describe("a teacher's unlock at the laptop, with a code from the portal", () => {
    const lessonQuery = `lessonUid=${encodeURIComponent(JNS_NOW.uid)}&lessonStart=${JNS_NOW.start}`;
    /** The code the portal shows this user for Jansen's lesson now. */
    const codeOf = async (server: TestApi, username: string): Promise<string> => {
      const reply = await server.call('GET', `/api/v1/unlock-code?${lessonQuery}`, { as: await server.login(username) });
      expect(reply.status, reply.text).toBe(200);
      return reply.body.code;
    };
    const unlockBody = (code: string) => ({ code, allow: { categories: ['social'] }, reason: REASON });
    /** Sanne's parents consented to social media in lessons this school year (III.B.9). */
    const sanneConsents = (server: TestApi) => server.store.recordConsents('svok-college', [
      { studentId: 's1', register: 'social-media', schoolYear: '2025-2026', givenBy: 'parent', registeredAt: NOW - 90 * 24 * 60 * MINUTE, source: 'test' },
    ]);

    it('shows a teacher a six-digit code for a lesson they teach in progress, valid a few minutes; not for another teacher\'s lesson or one not in progress', async () => {
      const server = await api.start();
      const reply = await server.call('GET', `/api/v1/unlock-code?${lessonQuery}`, { as: await server.login('jansen') });
      expect(reply.body.code).toMatch(/^\d{6}$/);
      expect(reply.body.validUntil).toBeGreaterThan(server.now);
      expect(reply.body.validUntil - server.now).toBeLessThanOrEqual(5 * MINUTE);
      expect((await server.call('GET', `/api/v1/unlock-code?${lessonQuery}`, { as: await server.login('pieters') })).status).toBe(403);
      server.now = JNS_NOW.end + MINUTE;
      expect((await server.call('GET', `/api/v1/unlock-code?${lessonQuery}`, { as: await server.login('jansen') })).status).toBe(409);
    });

    it('grants this laptop only, for the lesson in progress, signed for it, and shows in the log as the code\'s teacher', async () => {
      const server = await api.start();
      await sanneConsents(server);
      const sanne = await server.enroll('sanne');
      const daan = await server.enroll('daan');
      const reply = await server.call('POST', '/api/v1/device/unlock', { as: sanne, body: unlockBody(await codeOf(server, 'jansen')) });
      expect(reply.status, reply.text).toBe(201);
      expect(verifySignature(reply.body, server.signer.publicKeyPem)).toBe(true);
      expect(reply.body.payload).toMatchObject({
        type: 'lesmodus.device-grant.v1', deviceId: sanne.deviceId,
        grant: { scope: { kind: 'lesson', lessonUid: JNS_NOW.uid, lessonStart: JNS_NOW.start }, expiresAt: JNS_NOW.end, issuedBy: { username: 'jansen', role: 'teacher', teacherCode: 'JNS' }, reason: REASON },
      });
      const grantId = reply.body.payload.grant.id;
      expect((await server.call('GET', '/api/v1/device/grants', { as: sanne })).body.grants.map((g: any) => g.payload.grant.id)).toEqual([grantId]);
      expect((await server.call('GET', '/api/v1/device/grants', { as: daan })).body.grants).toEqual([]); // same class, other laptop
      const leader = await server.login('de-vries');
      const detail = await server.call('GET', `/api/v1/exceptions/${grantId}`, { as: leader });
      expect(detail.body).toMatchObject({ grant: { audience: { kind: 'device', deviceId: sanne.deviceId } }, devicesExpected: 1 });
    });

    it('refuses (409 consent-missing) a social-media unlock for a student without consent this school year, but not a recording one', async () => {
      const server = await api.start();
      const sanne = await server.enroll('sanne');
      const code = await codeOf(server, 'jansen');
      const refused = await server.call('POST', '/api/v1/device/unlock', { as: sanne, body: unlockBody(code) });
      expect(refused).toMatchObject({ status: 409, body: { error: 'consent-missing', message: expect.stringMatching(/no consent registered for this school year \(art\. III\.B\.9\)/) } });
      const recording = await server.call('POST', '/api/v1/device/unlock', { as: sanne, body: { ...unlockBody(code), allow: { categories: ['camera'] } } });
      expect(recording.status).toBe(201);
    });

    it('refuses a wrong code (401), an expired one, a code of a teacher of another lesson, and limits guessing per laptop (429) without granting anything', async () => {
      const server = await api.start();
      await sanneConsents(server);
      const sanne = await server.enroll('sanne');
      const code = await codeOf(server, 'jansen');
      const wrong = code === '000000' ? '000001' : '000000';
      expect((await server.call('POST', '/api/v1/device/unlock', { as: sanne, body: unlockBody(wrong) })).status).toBe(401);
      // Pieters teaches another lesson now: his code for it does not open Jansen's.
      const pietersCode = (await server.call('GET', `/api/v1/unlock-code?lessonUid=${encodeURIComponent(PTR_NOW.uid)}&lessonStart=${PTR_NOW.start}`, { as: await server.login('pieters') })).body.code;
      if (pietersCode !== code) expect((await server.call('POST', '/api/v1/device/unlock', { as: sanne, body: unlockBody(pietersCode) })).status).toBe(401);
      const later = server.now;
      server.now += 11 * MINUTE;
      expect((await server.call('POST', '/api/v1/device/unlock', { as: sanne, body: unlockBody(code) })).status).toBe(401);
      server.now = later;
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await server.call('POST', '/api/v1/device/unlock', { as: sanne, body: unlockBody(String((Number(wrong) + 7919 * (i + 1)) % 1_000_000).padStart(6, '0')) })).status);
      expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
      expect((await server.call('POST', '/api/v1/device/unlock', { as: sanne, body: unlockBody(code) })).status).toBe(429);
      expect((await server.call('GET', '/api/v1/device/grants', { as: sanne })).body.grants).toEqual([]);
    });

    it('limits wrong codes per lesson across laptops: a device enrolled anew starts no fresh count for the lesson (the right code waits too), other lessons are not affected', async () => {
      const server = await api.start();
      await sanneConsents(server);
      const code = await codeOf(server, 'jansen');
      const wrong = (i: number) => String((Number(code) + 1 + i * 7919) % 1_000_000).padStart(6, '0');
      // Devices of their own, each assigned to a student in Jansen's lesson, each guessing once.
      const device = async (n: number) => {
        const made = await server.enroll(null, `nep-${n}`);
        await server.store.assignDevice(made.deviceId, { schoolId: 'svok-college', studentId: 's1' }, server.now);
        return made;
      };
      for (let i = 0; i < 20; i++) {
        expect((await server.call('POST', '/api/v1/device/unlock', { as: await device(i), body: unlockBody(wrong(i)) })).status).toBe(401);
      }
      const fresh = await device(20);
      expect((await server.call('POST', '/api/v1/device/unlock', { as: fresh, body: unlockBody(code) })).status).toBe(429);
      expect((await server.call('GET', '/api/v1/device/grants', { as: fresh })).body.grants).toEqual([]);
      // Pieters' lesson (Emma, v4b) at the same time is not under attack.
      const emma = await server.enroll('emma');
      await server.store.recordConsents('svok-college', [
        { studentId: 's3', register: 'social-media', schoolYear: '2025-2026', givenBy: 'parent', registeredAt: NOW - DAY_MS, source: 'test' },
      ]);
      const ptrCode = (await server.call('GET', `/api/v1/unlock-code?lessonUid=${encodeURIComponent(PTR_NOW.uid)}&lessonStart=${PTR_NOW.start}`, { as: await server.login('pieters') })).body.code;
      expect((await server.call('POST', '/api/v1/device/unlock', { as: emma, body: unlockBody(ptrCode) })).status).toBe(201);
    });

    it('lets a leader of the school unlock with their code, says when there is no lesson or student (409), and names what is wrong in the body', async () => {
      const server = await api.start();
      await sanneConsents(server);
      const sanne = await server.enroll('sanne');
      expect((await server.call('POST', '/api/v1/device/unlock', { as: sanne, body: unlockBody(await codeOf(server, 'de-vries')) })).status).toBe(201);
      const unassigned = await server.enroll('nobody-known');
      expect((await server.call('POST', '/api/v1/device/unlock', { as: unassigned, body: unlockBody('123456') })).status).toBe(409);
      const bad = await server.call('POST', '/api/v1/device/unlock', { as: sanne, body: { code: 'abc', password: PASSWORD, reason: '', allow: {} } });
      expect(bad.status).toBe(400);
      expect(bad.body.issues.map((i: { path: string }) => i.path).sort()).toEqual(['body.allow', 'body.code', 'body.password', 'body.reason']);
      expect((await server.call('POST', '/api/v1/device/unlock', { body: unlockBody('123456') })).status).toBe(401);
      server.now = JNS_NOW.end + MINUTE;
      expect((await server.call('POST', '/api/v1/device/unlock', { as: sanne, body: unlockBody('123456') })).body.message).toMatch(/no lesson now/);
    });
  });

  describe('live push', () => {
    it('delivers a new grant, then its revocation, to a connected device, signed for it, and only to devices it reaches', async () => {
      const server = await api.start();
      const jansen = await server.login('jansen');
      const sanne = await server.enroll('sanne');
      const emma = await server.enroll('emma');
      const stream = await openStream(server, sanne.credential);
      const other = await openStream(server, emma.credential);
      try {
        expect(stream.response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
        expect((await stream.reader.until('ready')).data).toMatchObject({ deviceId: sanne.deviceId, grants: 0 });
        await other.reader.until('ready');
        expect(server.context.hub.connections).toBe(2);

        const created = (await server.call('POST', '/api/v1/grants', { as: jansen, body: { scope: lessonScope, allow: { categories: ['social'] }, reason: REASON } })).body;
        const pushed = await stream.reader.until('grant');
        expect(pushed.id).toBe(created.id);
        expect(pushed.data.payload).toMatchObject({ type: 'lesmodus.device-grant.v1', deviceId: sanne.deviceId, grant: { id: created.id } });
        expect(verifySignature(pushed.data, server.signer.publicKeyPem)).toBe(true);

        server.now += MINUTE;
        await server.call('POST', `/api/v1/grants/${created.id}/revoke`, { as: jansen });
        const revoked = await stream.reader.until('revocation');
        expect(revoked.data.payload.grant.revokedAt).toBe(NOW + MINUTE);
        expect(verifySignature(revoked.data, server.signer.publicKeyPem)).toBe(true);
      } finally {
        stream.abort.abort();
        other.abort.abort();
      }
      // Emma's stream saw neither: checked by the hub's reach, not by timing.
      await waitFor(() => server.context.hub.connections === 0, 'the stream to close');
    });

    it("tells a connected laptop to pull again when its student's consent is recorded or withdrawn, and no other laptop", async () => {
      const server = await api.start();
      const leader = await server.login('de-vries');
      const sanne = await server.enroll('sanne');
      const emma = await server.enroll('emma');
      const stream = await openStream(server, sanne.credential);
      const other = await openStream(server, emma.credential);
      const told: string[] = [];
      const hub = server.context.hub;
      try {
        await stream.reader.until('ready');
        await other.reader.until('ready');
        void other.reader.until('refresh').then(() => told.push('emma'), () => {});
        const consent = { studentId: 's1', givenBy: 'parent' };
        expect((await server.call('POST', '/api/v1/consents', { as: leader, body: { consents: [consent] } })).status).toBe(200);
        expect((await stream.reader.until('refresh')).data).toEqual({ reason: 'consents' });
        // Recording it again changes nothing, and tells nobody.
        expect(hub.refresh({ schoolId: 'svok-college', studentIds: new Set(['nobody']) }, 'test')).toBe(0);
        await server.call('POST', '/api/v1/consents/withdraw', { as: leader, body: { studentId: 's1' } });
        expect((await stream.reader.until('refresh')).data).toEqual({ reason: 'consents' });
        expect(told).toEqual([]);
      } finally {
        stream.abort.abort();
        other.abort.abort();
      }
      await waitFor(() => hub.connections === 0, 'the streams to close');
    });

    it('sends the grants already in force first, on (re)connect', async () => {
      const server = await api.start();
      const jansen = await server.login('jansen');
      const sanne = await server.enroll('sanne');
      const created = (await server.call('POST', '/api/v1/grants', { as: jansen, body: { scope: lessonScope, allow: { categories: ['social'] }, reason: REASON } })).body;
      const stream = await openStream(server, sanne.credential);
      try {
        const first = await stream.reader.next();
        expect(first).toMatchObject({ event: 'grant', id: created.id });
        expect((await stream.reader.next())).toMatchObject({ event: 'ready', data: { grants: 1 } });
      } finally {
        stream.abort.abort();
      }
    });

    it('keeps at most two streams per device, closing the oldest', async () => {
      const server = await api.start();
      const sanne = await server.enroll('sanne');
      const streams = [await openStream(server, sanne.credential), await openStream(server, sanne.credential)];
      for (const s of streams) await s.reader.until('ready');
      const third = await openStream(server, sanne.credential);
      try {
        await third.reader.until('ready');
        expect(await streams[0]!.reader.next()).toBeNull();
        expect(server.context.hub.connections).toBe(2);
      } finally {
        for (const s of [...streams, third]) s.abort.abort();
      }
    });

    it('ends streams cleanly when the server stops', async () => {
      const server = await api.start();
      const sanne = await server.enroll('sanne');
      const stream = await openStream(server, sanne.credential);
      await stream.reader.until('ready');
      server.context.hub.closeAll();
      expect(await stream.reader.next()).toBeNull();
    });
  });

  describe('revoking a laptop', () => {
    const KEY = 'k'.repeat(43);
    const enrollWithKey = (server: TestApi, secret = server.enrollmentSecret) => server.call('POST', '/api/v1/devices/enroll', {
      body: { enrollmentSecret: secret, enrollmentKey: KEY, hostname: 'LAPTOP-SANNE', serial: null, os: 'win32', agentVersion: '0.1.0', loginName: 'sanne' },
    });

    it('refuses a revoked laptop enrolling again under a new key (its serial is revoked, 403), and gives a device named like it no student', async () => {
      const server = await api.start();
      const body = { enrollmentSecret: server.enrollmentSecret, hostname: 'laptop-sanne', serial: 'PF3X9K2', os: 'linux', agentVersion: '0.1.0', loginName: 'sanne' };
      const stolen = await server.call('POST', '/api/v1/devices/enroll', { body: { ...body, enrollmentKey: KEY } });
      expect(stolen.body.studentId).toBe('s1');
      const admin = await server.login('beheer');
      expect((await server.call('POST', `/api/v1/devices/${stolen.body.deviceId}/revoke`, { as: admin })).status).toBe(200);
      // The thief's copy of the agent made itself a new key (its data folder wiped).
      const again = await server.call('POST', '/api/v1/devices/enroll', { body: { ...body, enrollmentKey: 'n'.repeat(43) } });
      expect(again.status).toBe(403);
      expect(again.body.message).toMatch(/serial number PF3X9K2 was revoked .*restore it first/);
      // Without a serial, named like her laptop: enrolled, but not hers (her laptop was revoked after the school's rule).
      const unnamed = await server.call('POST', '/api/v1/devices/enroll', { body: { ...body, serial: null, enrollmentKey: 'm'.repeat(43) } });
      expect(unnamed).toMatchObject({ status: 201, body: { studentId: null } });
    });

    it('refuses every device route to a revoked laptop (401), ends its live stream at once, and leaves other laptops alone', async () => {
      const server = await api.start();
      const enrolled = await enrollWithKey(server);
      expect(enrolled.status).toBe(201);
      const sanne = { kind: 'device' as const, deviceId: enrolled.body.deviceId, credential: enrolled.body.credential };
      const daan = await server.enroll('daan');
      const stream = await openStream(server, sanne.credential);
      const other = await openStream(server, daan.credential);
      await stream.reader.until('ready');
      await other.reader.until('ready');

      server.now += MINUTE;
      const leader = await server.login('de-vries');
      const revoked = await server.call('POST', `/api/v1/devices/${sanne.deviceId}/revoke`, { as: leader });
      expect(revoked.status).toBe(200);
      expect(revoked.body).toMatchObject({ id: sanne.deviceId, revokedAt: NOW + MINUTE, revokedBy: 'de-vries' });
      expect(await stream.reader.next()).toBeNull(); // the open stream ended
      expect(server.context.hub.connections).toBe(1);

      const calls = [
        server.call('POST', '/api/v1/device/heartbeat', { as: sanne, body: {} }),
        server.call('GET', '/api/v1/device/schedule', { as: sanne }),
        server.call('GET', '/api/v1/device/grants', { as: sanne }),
        server.call('POST', '/api/v1/device/events', { as: sanne, body: { events: [tamper(1)] } }),
        server.call('GET', '/api/v1/device/stream', { as: sanne }),
      ];
      for (const reply of await Promise.all(calls)) {
        expect(reply.status).toBe(401);
        expect(reply.body).toMatchObject({ error: 'unauthenticated', message: expect.stringMatching(/was revoked/) });
      }
      expect((await server.store.deviceEvents(sanne.deviceId, { from: 0, to: NOW + DAY_MS }, { limit: 10, offset: 0 })).total).toBe(0);
      // A stranger with a made-up credential for that id learns nothing about the revocation.
      const forged = await server.call('GET', '/api/v1/device/schedule', { as: { ...sanne, credential: `lmd1.${sanne.deviceId}.${'x'.repeat(43)}` } });
      expect(forged.body.message).not.toMatch(/revoked/);

      // Daan's laptop is unaffected.
      expect((await server.call('POST', '/api/v1/device/heartbeat', { as: daan, body: {} })).status).toBe(200);
      expect((await server.call('GET', '/api/v1/device/schedule', { as: daan })).status).toBe(200);
      other.abort.abort();

      // Revoking again keeps the first revocation; it was audited once.
      server.now += MINUTE;
      expect((await server.call('POST', `/api/v1/devices/${sanne.deviceId}/revoke`, { as: leader })).body.revokedAt).toBe(NOW + MINUTE);
      const audit = await server.store.auditLog({ subjectKind: 'device', subjectId: sanne.deviceId }, { limit: 10, offset: 0 });
      expect(audit.rows.map((e) => [e.action, e.username])).toEqual([['revoke-device', 'de-vries']]);
    });

    it('refuses re-enrollment with the enrollment key (403) until an admin restores the laptop', async () => {
      const server = await api.start();
      const first = await enrollWithKey(server);
      const admin = await server.login('beheer');
      expect((await server.call('POST', `/api/v1/devices/${first.body.deviceId}/revoke`, { as: admin })).status).toBe(200);
      const again = await enrollWithKey(server);
      expect(again.status).toBe(403);
      expect(again.body.message).toMatch(/revoked .* cannot enroll again/);
      const oldCredential = { kind: 'device' as const, deviceId: first.body.deviceId, credential: first.body.credential };
      expect((await server.call('GET', '/api/v1/device/schedule', { as: oldCredential })).status).toBe(401);

      const leader = await server.login('de-vries');
      expect((await server.call('POST', `/api/v1/devices/${first.body.deviceId}/restore`, { as: leader })).status).toBe(403);
      const restored = await server.call('POST', `/api/v1/devices/${first.body.deviceId}/restore`, { as: admin });
      expect(restored.body).toMatchObject({ revokedAt: null, revokedBy: null });
      const renewed = await enrollWithKey(server);
      expect(renewed.status).toBe(201);
      expect(renewed.body.deviceId).toBe(first.body.deviceId);
      expect((await server.call('GET', '/api/v1/device/schedule', { as: { kind: 'device', deviceId: renewed.body.deviceId, credential: renewed.body.credential } })).status).toBe(200);
      const audit = await server.store.auditLog({ subjectKind: 'device', subjectId: first.body.deviceId }, { limit: 10, offset: 0 });
      expect(audit.rows.map((e) => e.action)).toEqual(['restore-device', 'revoke-device']);
    });

    it('shows a revoked laptop as revoked in device health, and keeps it out of "not enforcing"', async () => {
      const server = await api.start();
      const sanne = await server.enroll('sanne');
      const daan = await server.enroll('daan');
      const leader = await server.login('de-vries');
      await server.call('POST', `/api/v1/devices/${sanne.deviceId}/revoke`, { as: leader });
      const health = (await server.call('GET', '/api/v1/devices', { as: leader })).body.devices;
      expect(health).toEqual(expect.arrayContaining([
        expect.objectContaining({ deviceId: sanne.deviceId, revokedAt: NOW }),
        expect.objectContaining({ deviceId: daan.deviceId, revokedAt: null }),
      ]));
      server.now = JNS_NOW.end + MINUTE;
      const leaderLater = await server.login('de-vries');
      const silent = (await server.call('GET', '/api/v1/devices/not-enforcing', { as: leaderLater })).body.devices.map((d: { deviceId: string }) => d.deviceId);
      expect(silent).toContain(daan.deviceId);
      expect(silent).not.toContain(sanne.deviceId);
    });

    it('lets only admins and leaders of the laptop\'s school revoke it', async () => {
      const server = await api.start();
      const sanne = await server.enroll('sanne');
      expect((await server.call('POST', `/api/v1/devices/${sanne.deviceId}/revoke`, { as: await server.login('jansen') })).status).toBe(403);
      expect((await server.call('POST', `/api/v1/devices/${sanne.deviceId}/revoke`, { as: await server.login('bakker') })).status).toBe(404);
      expect((await server.call('POST', `/api/v1/devices/${sanne.deviceId}/revoke`)).status).toBe(401);
      expect((await server.call('POST', '/api/v1/devices/ghost/revoke', { as: await server.login('beheer') })).status).toBe(404);
      expect((await server.call('POST', '/api/v1/device/heartbeat', { as: sanne, body: {} })).status).toBe(200);
    });
  });

  describe('revoking an enrollment secret', () => {
    it('refuses enrollment with a revoked secret like a wrong one (401), and keeps enrolled laptops working', async () => {
      const server = await api.start();
      const sanne = await server.enroll('sanne');
      const file = new EnrollmentSecretFile(server.enrollmentSecretsPath);
      const [secret] = await file.list();
      expect(await file.revoke(secret!.id, NOW)).toMatchObject({ id: secret!.id, revokedAt: NOW });
      const refused = await server.call('POST', '/api/v1/devices/enroll', {
        body: { enrollmentSecret: server.enrollmentSecret, hostname: 'LAPTOP-NEW', serial: null, os: 'win32', agentVersion: '0.1.0', loginName: null },
      });
      expect(refused.status).toBe(401);
      expect(refused.body.message).toMatch(/enrollment secret is not valid/);
      expect((await server.call('POST', '/api/v1/device/heartbeat', { as: sanne, body: {} })).status).toBe(200);
      // A new secret enrolls.
      const { secret: fresh } = await file.create('svok-college', NOW);
      const enrolled = await server.call('POST', '/api/v1/devices/enroll', {
        body: { enrollmentSecret: fresh, hostname: 'LAPTOP-NEW', serial: null, os: 'win32', agentVersion: '0.1.0', loginName: null },
      });
      expect(enrolled.status).toBe(201);
    });
  });
}
