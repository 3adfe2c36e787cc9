import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importConsents, withdrawConsent } from '../../../src/server/services/consents.ts';
import { assignDevice, restoreDevice, revokeDevice } from '../../../src/server/services/devices.ts';
import { cliActor, type LaptopNotifier, type RefreshTarget, type Services } from '../../../src/server/services/service.ts';
import { importSchoolTimetable } from '../../../src/server/services/timetable.ts';
import { SqliteServerStore } from '../../../src/server/store/index.ts';
import { device, lesson, MONDAY_0830, SCHOOL } from '../store/fixtures.ts';

/**
 * The service layer: whoever calls (a route or the command line), each
 * business action writes its own audit entry under the actor's name and
 * tells the laptops concerned. Real SQLite; the laptops are a recording
 * notifier (the live hub behind it has its own tests).
 */

class RecordingLaptops implements LaptopNotifier {
  readonly told: { kind: string; target?: RefreshTarget; reason?: string; deviceId?: string }[] = [];
  publish(change: { kind: string }): void { this.told.push({ kind: change.kind }); }
  refresh(target: RefreshTarget, reason: string): number { this.told.push({ kind: 'refresh', target, reason }); return 1; }
  closeDevice(deviceId: string): number { this.told.push({ kind: 'close', deviceId }); return 1; }
}

const NOW = MONDAY_0830;
const leader = { username: 'de-vries' };

describe('services', () => {
  let store: SqliteServerStore;
  let laptops: RecordingLaptops;
  let services: Services;
  const audit = async () => (await store.auditLog({}, { limit: 100, offset: 0 })).rows.map((e) => ({ username: e.username, action: e.action, subject: e.subject, detail: e.detail }));

  beforeEach(async () => {
    store = await SqliteServerStore.open({ path: ':memory:' });
    await store.putSchool(SCHOOL, 1);
    await store.putStudents(SCHOOL.id, [{ id: '100001', name: 'Anne', loginName: 'anne' }, { id: '100002', name: null, loginName: null }]);
    laptops = new RecordingLaptops();
    services = { store, laptops };
  });
  afterEach(async () => store.close());

  it('a consent import from a CSV is audited under the actor and tells those students\' laptops to pull', async () => {
    const result = await importConsents(services, leader, SCHOOL, 'student;givenBy\nanne;parent\n100002;student\n', { now: NOW });
    expect(result).toMatchObject({ ok: true, recorded: { added: 2 } });
    expect(await audit()).toEqual([{ username: 'de-vries', action: 'record-consents', subject: { kind: 'consents', id: SCHOOL.id }, detail: '2 added, 0 updated, 0 unchanged, 0 withdrawn' }]);
    expect(laptops.told).toEqual([{ kind: 'refresh', target: { schoolId: SCHOOL.id, studentIds: new Set(['100001', '100002']) }, reason: 'consents' }]);
  });

  it('a bad consent file records, audits and tells nothing; importing the same file again tells no laptop', async () => {
    expect(await importConsents(services, leader, SCHOOL, 'student;givenBy\nnobody;parent\n', { now: NOW })).toMatchObject({ ok: false });
    expect(await audit()).toEqual([]);
    await importConsents(services, leader, SCHOOL, 'student;givenBy\nanne;parent\n', { now: NOW });
    laptops.told.length = 0;
    await importConsents(services, leader, SCHOOL, 'student;givenBy\nanne;parent\n', { now: NOW + 1 });
    expect(laptops.told).toEqual([]);
  });

  it('withdrawing a consent is audited and tells that student\'s laptop; withdrawing none is neither', async () => {
    await importConsents(services, leader, SCHOOL, 'student;givenBy;schoolYear\nanne;parent;2025-2026\n', { now: NOW });
    laptops.told.length = 0;
    const which = { studentId: '100001', register: 'social-media', schoolYear: '2025-2026' };
    expect(await withdrawConsent(services, cliActor(), SCHOOL, which, NOW)).toBe(true);
    expect(await withdrawConsent(services, cliActor(), SCHOOL, which, NOW)).toBe(false);
    const withdrawals = (await audit()).filter((e) => e.action === 'withdraw-consent');
    expect(withdrawals).toEqual([{ username: cliActor().username, action: 'withdraw-consent', subject: { kind: 'student', id: '100001' }, detail: 'social-media 2025-2026' }]);
    expect(laptops.told).toEqual([{ kind: 'refresh', target: { schoolId: SCHOOL.id, studentIds: new Set(['100001']) }, reason: 'consents' }]);
  });

  it('revoking a laptop closes its streams and is audited once; a second revoke keeps the first; restore is audited', async () => {
    const enrolled = await store.enrollDevice(device('d1'), NOW);
    const first = await revokeDevice(services, leader, enrolled, NOW);
    expect(first).toMatchObject({ already: false, streamsClosed: 1, device: { revokedBy: 'de-vries' } });
    const again = await revokeDevice(services, cliActor(), first.device, NOW + 1000);
    expect(again).toMatchObject({ already: true, device: { revokedAt: NOW, revokedBy: 'de-vries' } });
    expect(await restoreDevice(services, cliActor(), again.device, NOW + 2000)).toMatchObject({ restored: true, device: { revokedAt: null } });
    expect((await restoreDevice(services, cliActor(), (await store.device('d1'))!, NOW + 3000)).restored).toBe(false);
    expect((await audit()).map((e) => [e.username, e.action])).toEqual([[cliActor().username, 'restore-device'], ['de-vries', 'revoke-device']]);
  });

  it('assigning a laptop is audited and its stream re-reads whom it reaches; an unknown laptop changes nothing', async () => {
    await store.enrollDevice(device('d1'), NOW);
    expect(await assignDevice(services, { username: 'beheer' }, 'd1', { schoolId: SCHOOL.id, studentId: '100001' }, NOW)).toMatchObject({ studentId: '100001' });
    expect(await assignDevice(services, { username: 'beheer' }, 'nope', null, NOW)).toBeNull();
    expect(await audit()).toEqual([{ username: 'beheer', action: 'assign-device', subject: { kind: 'device', id: 'd1' }, detail: 'laptop-d1: student 100001' }]);
    expect(laptops.told).toEqual([{ kind: 'refresh', target: { schoolId: SCHOOL.id, deviceId: 'd1' }, reason: 'assigned' }]);
  });

  it('a timetable import is audited without the feed\'s token and tells the school\'s laptops only when lessons changed', async () => {
    const timetable = { lessons: [lesson({ uid: 'les-1', start: NOW })], allDay: [], warnings: [] };
    const source = 'https://school.zportal.nl/api/v3/ical?token=geheim123';
    await importSchoolTimetable(services, leader, SCHOOL, timetable, {}, NOW, source);
    // Clearing days that hold no lessons changes nothing a laptop has.
    const empty = { year: 2026, month: 3, day: 2 };
    await importSchoolTimetable(services, leader, SCHOOL, { lessons: [], allDay: [], warnings: [] }, { from: empty, to: empty }, NOW, source);
    const entries = await audit();
    expect(entries).toHaveLength(2);
    expect(entries[1]).toMatchObject({ action: 'import-timetable', subject: { kind: 'timetable', id: SCHOOL.id } });
    expect(JSON.stringify(entries)).not.toContain('geheim123');
    expect(laptops.told).toEqual([{ kind: 'refresh', target: { schoolId: SCHOOL.id }, reason: 'timetable' }]);
  });
});
