import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { schoolYearOf } from '../../../src/core/policy/consent.ts';
import type { Consent } from '../../../src/server/store/index.ts';
import { ams } from '../../helpers/policy.ts';
import { SCHOOL } from '../store/fixtures.ts';
import { useCli, withSqliteStore } from './cli-harness.ts';

// `lesmodus server consent …` in real processes on a SQLite data folder, as a school's admin runs it.
const cli = useCli('consent-cli');
const { tmp } = cli;
const lesmodus = (args: string[]) => cli.run(args);

const data = join(tmp, 'data');
const store = ['--data-dir', data, '--school', SCHOOL.id];
const CURRENT = schoolYearOf(Date.now(), SCHOOL.timeZone).label;

function file(name: string, text: string): string {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
}

const stored = (): Promise<Consent[]> => withSqliteStore(data, (db) => db.consents({ schoolId: SCHOOL.id }));

beforeAll(async () => {
  mkdirSync(data, { recursive: true });
  await withSqliteStore(data, async (db) => {
    await db.putSchool(SCHOOL, 1);
    await db.putStudents(SCHOOL.id, [1, 2, 3, 4].map((n) => ({ id: `10000${n}`, name: `Leerling ${n}`, loginName: `leerling${n}` })));
  });
});

describe('lesmodus server consent (spawned)', () => {
  it('refuses a file with bad lines, naming each by line number, and imports nothing', async () => {
    const bad = file('bad.csv', [
      'Leerling;Register;Schooljaar;Gegeven door;Geregistreerd op',
      '100001;social-media;2026-2027;ouder;2026-09-01',
      'nobody;social-media;2026-2027;parent;2026-09-01',
      '100002;social-media;2026-2028;parent;2026-09-01',
      '100003;social-media;2026-2027;teacher;01-09-2026',
      '100001;social-media;2026-2027;student;2026-09-02',
    ].join('\r\n'));
    const result = await lesmodus(['server', 'consent', 'import', ...store, bad]);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain(`${bad}:3: no student "nobody"`);
    expect(result.stderr).toContain(`${bad}:4: school year "2026-2028"`);
    expect(result.stderr).toMatch(new RegExp(`${bad.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&')}:5: givenBy "teacher" is not student or parent; registeredAt "01-09-2026"`));
    expect(result.stderr).toContain(`${bad}:6: student "100001" has social-media 2026-2027 on line 2 already`);
    expect(result.stderr).toContain('4 bad lines of 5: nothing was imported');
    expect(await stored()).toEqual([]);
  });

  it('imports a Magister export (semicolons, Dutch headers, login names, BOM) and a comma file, idempotently, and lists them', async () => {
    const magister = file('magister.csv', '\uFEFFLeerlingnummer;Gegeven door;Schooljaar;Geregistreerd op\r\n'
      + '100001;ouder;2026-2027;2026-09-01\r\nleerling2;Leerling;2026-2027;2026-09-03T10:15\r\n');
    const first = await lesmodus(['server', 'consent', 'import', ...store, '--source', 'magister', magister]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(`${SCHOOL.id}: 2 consents imported from ${magister}: 2 new, 0 updated, 0 unchanged.`);
    const again = await lesmodus(['server', 'consent', 'import', ...store, '--source', 'magister', magister]);
    expect(again.stdout).toContain('0 new, 0 updated, 2 unchanged');

    // Comma separated, no school year column: the current one, or --school-year.
    const commas = file('commas.csv', 'student,givenBy,register\n100003,"parent",social-media\n');
    expect((await lesmodus(['server', 'consent', 'import', ...store, commas])).code).toBe(0);
    // No registeredAt in the file: the time on record stays, so a second import changes nothing.
    expect((await lesmodus(['server', 'consent', 'import', ...store, commas])).stdout).toContain('0 new, 0 updated, 1 unchanged');
    expect((await lesmodus(['server', 'consent', 'import', ...store, '--school-year', '2025-2026', commas])).code).toBe(0);

    expect(await stored()).toEqual(expect.arrayContaining([
      expect.objectContaining({ studentId: '100001', register: 'social-media', schoolYear: '2026-2027', givenBy: 'parent', registeredAt: ams('2026-09-01 00:00'), source: 'magister' }),
      expect.objectContaining({ studentId: '100002', schoolYear: '2026-2027', givenBy: 'student', registeredAt: ams('2026-09-03 10:15') }),
      expect.objectContaining({ studentId: '100003', schoolYear: CURRENT, givenBy: 'parent', source: 'csv' }),
      expect.objectContaining({ studentId: '100003', schoolYear: '2025-2026' }),
    ]));

    const list = await lesmodus(['server', 'consent', 'list', '--data-dir', data, '--school-year', '2026-2027']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/School\s+Student\s+Register\s+School year\s+Given by\s+Registered\s+Source/);
    expect(list.stdout).toMatch(/svok-college\s+100001\s+social-media\s+2026-2027\s+parent\s+2026-09-01\s+magister/);
    expect(list.stdout).not.toContain('2025-2026');
  });

  it('withdraws a consent, and replaces a whole register of a year from a full export', async () => {
    const withdraw = await lesmodus(['server', 'consent', 'withdraw', ...store, '--student', '100001', '--school-year', '2026-2027']);
    expect(withdraw.code, withdraw.stderr).toBe(0);
    expect(withdraw.stdout).toContain("the social-media consent of student '100001' for 2026-2027 is withdrawn");
    expect((await lesmodus(['server', 'consent', 'withdraw', ...store, '--student', '100001', '--school-year', '2026-2027'])).code).toBe(1);

    const full = file('full.csv', 'student;givenBy;schoolYear\n100004;parent;2025-2026\n');
    const replaced = await lesmodus(['server', 'consent', 'import', ...store, '--replace', full]);
    expect(replaced.code, replaced.stderr).toBe(0);
    expect(replaced.stdout).toContain('1 new, 0 updated, 0 unchanged, 1 withdrawn (not in the file)');
    expect((await stored()).filter((c) => c.schoolYear === '2025-2026').map((c) => c.studentId)).toEqual(['100004']);
  });

  it('says what is wrong with the command line', async () => {
    expect((await lesmodus(['server', 'consent', 'import', ...store])).stderr).toContain('name the CSV file');
    expect((await lesmodus(['server', 'consent', 'import', ...store, '--school-year', '2026', 'x.csv'])).code).toBe(2);
    expect((await lesmodus(['server', 'consent', 'import', ...store, join(tmp, 'missing.csv')])).stderr).toContain('cannot read');
    const help = await lesmodus(['server', 'consent', 'import', '--help']);
    expect(help.stdout).toContain('givenBy       student (16 or older) or parent');
  });
});
