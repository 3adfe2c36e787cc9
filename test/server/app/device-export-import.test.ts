import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importRoster } from '../../../src/server/services/roster.ts';
import { importDeviceExport } from '../../../src/server/services/devices.ts';
import { NO_LIVE_LAPTOPS } from '../../../src/server/services/service.ts';
import { SqliteServerStore } from '../../../src/server/store/index.ts';
import { device, MONDAY_0830, SCHOOL } from '../store/fixtures.ts';

/** Laptops assigned as the school's MDM lists them: Intune's Devices export and Jamf Pro's computer inventory. */

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/school-data/${name}`, import.meta.url), 'utf8');
const admin = { username: 'beheer' };

describe("importing the MDM's device export", () => {
  let store: SqliteServerStore;
  const services = () => ({ store, laptops: NO_LIVE_LAPTOPS });
  beforeEach(async () => {
    store = await SqliteServerStore.open({ path: ':memory:' });
    await store.putSchool(SCHOOL, 1);
    const roster = await importRoster(services(), admin, SCHOOL, fixture('magister-leerlingen.csv'), { format: 'auto', dryRun: false, now: MONDAY_0830 });
    expect(roster.ok).toBe(true);
    await store.replaceDeviceRules(SCHOOL.id, [{ kind: 'hostname-pattern', value: 'll-{student}', studentId: null }], MONDAY_0830);
  });
  afterEach(async () => store.close());

  it("reads Intune's export by its primary user's UPN: serial and device name per student; a teacher's and a shared device are left out, a placeholder serial ignored", async () => {
    const result = await importDeviceExport(services(), admin, SCHOOL, fixture('intune-devices.csv'), { dryRun: false, now: MONDAY_0830 });
    expect(result).toMatchObject({ ok: true, stored: true, patternsKept: 1 });
    if (!result.ok) return;
    expect(result.rules).toEqual([
      { kind: 'serial', value: 'PF3KX9A1', studentId: '120431' }, { kind: 'hostname', value: 'LL-120431', studentId: '120431' },
      { kind: 'serial', value: 'PF3KX9B7', studentId: '120432' }, { kind: 'hostname', value: 'LL-120432', studentId: '120432' },
      { kind: 'serial', value: 'PF3KXA03', studentId: '120501' }, { kind: 'hostname', value: 'LL-120501', studentId: '120501' },
    ]);
    expect(result.skipped).toEqual([
      { line: 4, message: 'no student with number or login name "jansen@svok-college.nl"' },
      { line: 5, message: 'no student' },
    ]);
    expect((await store.deviceRules(SCHOOL.id)).map((r) => r.kind)).toEqual(expect.arrayContaining(['hostname-pattern', 'serial', 'hostname']));
    expect((await store.auditLog({ username: 'beheer' }, { limit: 5, offset: 0 })).rows[0]).toMatchObject({ action: 'replace-device-rules' });

    // A laptop reporting that serial is the student's, whatever login it reports.
    const laptop = await store.enrollDevice(device('d1', { serial: 'PF3KX9B7', hostname: 'DESKTOP-X1', loginName: 'someone-else' }), MONDAY_0830);
    expect(laptop.studentId).toBe('120432');
  });

  it("reads Jamf Pro's computer inventory by Username; a dry run records nothing; a line naming a student without serial or name changes nothing", async () => {
    const dry = await importDeviceExport(services(), admin, SCHOOL, fixture('jamf-computers.csv'), { dryRun: true, now: MONDAY_0830 });
    expect(dry).toMatchObject({ ok: true, stored: false, skipped: [{ line: 4, message: 'no student' }] });
    if (dry.ok) expect(dry.rules).toContainEqual({ kind: 'serial', value: 'C02FK1ACQ6L4', studentId: '120503' });
    expect(await store.deviceRules(SCHOOL.id)).toHaveLength(1);

    const bad = await importDeviceExport(services(), admin, SCHOOL, 'Computer Name,Serial Number,Username\n,,djansen\n', { dryRun: false, now: MONDAY_0830 });
    expect(bad).toEqual({ ok: false, errors: [{ line: 2, message: 'neither a serial number nor a hostname' }] });
    expect(await store.deviceRules(SCHOOL.id)).toHaveLength(1);
  });
});
