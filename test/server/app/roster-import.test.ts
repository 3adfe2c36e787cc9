import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { headerKey } from '../../../src/server/app/csv-columns.ts';
import { readRosterCsv } from '../../../src/server/app/roster-import.ts';
import { importRoster } from '../../../src/server/services/roster.ts';
import type { LaptopNotifier, RefreshTarget } from '../../../src/server/services/service.ts';
import { SqliteServerStore } from '../../../src/server/store/index.ts';
import { MONDAY_0830, SCHOOL } from '../store/fixtures.ts';

/** The student exports of Magister and Somtoday as the school's roster: read by header, all or nothing, errors by line in Dutch and English. */

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/school-data/${name}`, import.meta.url), 'utf8');
const nobody = async () => null;

describe('reading a student export', () => {
  it('compares headers without case, accents, spaces or punctuation', () => {
    expect(headerKey(' Lesgroep(en) ')).toBe('lesgroepen');
    expect(headerKey('E-mail adres')).toBe('emailadres');
    expect(headerKey('Leerlíngnummer')).toBe('leerlingnummer');
  });

  it("reads Magister's export (BOM, semicolons, CRLF, quoted group lists, accents) as students and groups", async () => {
    const reading = await readRosterCsv(fixture('magister-leerlingen.csv'), { format: 'auto', loginOwner: nobody });
    expect(reading.errors).toEqual([]);
    expect(reading.source).toBe('magister');
    expect(reading.students).toContainEqual({ id: '120433', name: 'Zoë van den Berg', loginName: 'zvandenberg' });
    expect(reading.students).toContainEqual({ id: '120501', name: 'Mert Şahin', loginName: 'msahin' });
    expect(reading.groups.find((g) => g.code === 'H4A')?.studentIds).toEqual(['120431', '120432', '120433']);
    expect(reading.groups.find((g) => g.code === 'h4a.ne')?.studentIds).toEqual(['120431', '120432', '120433']);
    expect(reading.groups.find((g) => g.code === 'v5.biol1')?.studentIds).toEqual(['120501']);
  });

  it("reads Somtoday's export (commas, no BOM) with the login from the e-mail address", async () => {
    const reading = await readRosterCsv(fixture('somtoday-leerlingen.csv'), { format: 'auto', loginOwner: nobody });
    expect(reading.errors).toEqual([]);
    expect(reading.source).toBe('somtoday');
    expect(reading.students[0]).toEqual({ id: '230110', name: 'Noah El Amrani', loginName: '230110' });
    expect(reading.students[2]).toEqual({ id: '230112', name: "Sem O'Brien", loginName: '230112' });
    expect(reading.groups.map((g) => g.code)).toEqual(['m2.du1', 'm2.fa1', 'M2B', 'm2b.en', 'm2b.ne', 'm3.fa1', 'M3A', 'm3a.en', 'm3a.ne']);
  });

  it('refuses the whole file, naming every bad line in Dutch and English', async () => {
    const text = [
      'Stamnr;Roepnaam;Achternaam;Klas;Login',
      '1001;Anne;Smit;H4A;asmit',
      ';Geen;Nummer;H4A;',
      '1001;Anne;Dubbel;H4A;',
      '1003;Bram;Visser;H4A;asmit',
      `1004;Kees;${'x'.repeat(300)};H4A;`,
    ].join('\n');
    const reading = await readRosterCsv(text, { format: 'magister', loginOwner: nobody });
    expect(reading.students).toEqual([]);
    expect(reading.errors.map((e) => [e.line, e.message.nl])).toEqual([
      [3, 'het leerlingnummer is leeg'],
      [4, 'leerlingnummer 1001 staat al op regel 2'],
      [5, 'gebruikersnaam asmit is al van leerling 1001 (regel 2)'],
      [6, 'de naam is langer dan 200 tekens'],
    ]);
    expect(reading.errors[1]!.message.en).toBe('student number 1001 is on line 2 already');
  });

  it('says which export a file is when the format named is the other, and needs a group column', async () => {
    const somtoday = await readRosterCsv(fixture('somtoday-leerlingen.csv'), { format: 'magister', loginOwner: nobody });
    expect(somtoday.errors[0]!.message.nl).toContain('dit lijkt een Somtoday-export (kolom Leerlingnummer)');
    const noGroups = await readRosterCsv('Stamnr;Roepnaam\n1;Anne\n', { format: 'auto', loginOwner: nobody });
    expect(noGroups.errors[0]!.message.nl).toContain('geen kolom Klas of Lesgroep(en)');
    expect((await readRosterCsv('', { format: 'auto', loginOwner: nobody })).errors[0]!.message.nl).toContain('het bestand is leeg');
  });

  it('refuses a login kept by a student outside the file, and text that is not UTF-8', async () => {
    const taken = await readRosterCsv('Stamnr;Klas;Gebruikersnaam\n2001;H4A;anne\n', { format: 'auto', loginOwner: async (login) => (login === 'anne' ? '1001' : null) });
    expect(taken.errors).toEqual([{ line: 2, message: expect.objectContaining({ nl: 'gebruikersnaam anne is van leerling 1001, die niet in dit bestand staat' }) }]);
    const latin1 = await readRosterCsv('Stamnr;Roepnaam;Klas\n2001;Zo\uFFFD;H4A\n', { format: 'auto', loginOwner: nobody });
    expect(latin1.errors[0]!.message.nl).toContain('sla het bestand op als CSV UTF-8');
  });
});

class RecordingLaptops implements LaptopNotifier {
  readonly refreshed: RefreshTarget[] = [];
  publish(): void {}
  refresh(target: RefreshTarget): number { this.refreshed.push(target); return 0; }
  closeDevice(): number { return 0; }
}

describe('importing a student export (service)', () => {
  let store: SqliteServerStore;
  beforeEach(async () => {
    store = await SqliteServerStore.open({ path: ':memory:' });
    await store.putSchool(SCHOOL, 1);
    await store.putStudents(SCHOOL.id, [{ id: '120431', name: 'S. de Vries', loginName: 'sdevries' }]);
    await store.replaceGroups(SCHOOL.id, [{ code: 'oud', name: null, studentIds: ['120431'] }]);
  });
  afterEach(async () => store.close());

  it('a dry run stores nothing; the import sets the roster, is audited and tells the school\'s laptops', async () => {
    const laptops = new RecordingLaptops();
    const services = { store, laptops };
    const text = fixture('magister-leerlingen.csv');
    const dry = await importRoster(services, { username: 'beheer' }, SCHOOL, text, { format: 'auto', dryRun: true, now: MONDAY_0830 });
    expect(dry).toMatchObject({ ok: true, stored: false, changes: { newStudents: 5, changedStudents: 1, unchangedStudents: 0, groupsRemoved: ['oud'] } });
    expect(await store.groups(SCHOOL.id)).toEqual([{ schoolId: SCHOOL.id, code: 'oud', name: null }]);
    expect(laptops.refreshed).toEqual([]);

    const done = await importRoster(services, { username: 'beheer' }, SCHOOL, text, { format: 'auto', dryRun: false, now: MONDAY_0830 });
    expect(done).toMatchObject({ ok: true, stored: true });
    expect(await store.student(SCHOOL.id, '120431')).toEqual({ schoolId: SCHOOL.id, id: '120431', name: 'Sanne de Vries', loginName: 'sdevries' });
    expect((await store.studentsInGroup(SCHOOL.id, 'V5B')).map((s) => s.id)).toEqual(['120501', '120502', '120503']);
    expect((await store.groups(SCHOOL.id)).map((g) => g.code)).not.toContain('oud');
    const audit = (await store.auditLog({}, { limit: 10, offset: 0 })).rows;
    expect(audit.map((e) => [e.username, e.action, e.detail])).toEqual([['beheer', 'put-roster', 'magister: 6 students, 12 groups']]);
    expect(laptops.refreshed).toEqual([{ schoolId: SCHOOL.id }]);

    const bad = await importRoster(services, { username: 'beheer' }, SCHOOL, 'Stamnr;Klas\n;H4A\n', { format: 'auto', dryRun: false, now: MONDAY_0830 });
    expect(bad).toMatchObject({ ok: false, errors: [{ line: 2 }] });
    expect((await store.auditLog({}, { limit: 10, offset: 0 })).rows).toHaveLength(1);
  });
});
