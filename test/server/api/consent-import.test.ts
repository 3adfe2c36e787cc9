import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { detectDelimiter, parseCsv, readConsentCsv } from '../../../src/server/app/consent-import.ts';
import { importConsents } from '../../../src/server/services/consents.ts';
import { NO_LIVE_LAPTOPS } from '../../../src/server/services/service.ts';
import { SqliteServerStore } from '../../../src/server/store/index.ts';
import { ams } from '../../helpers/policy.ts';
import { SCHOOL } from '../store/fixtures.ts';

/** The consent CSV reader on its own (the spawned CLI test covers the command around it). */

describe('parseCsv', () => {
  it('splits on the delimiter, keeps quoted delimiters, doubled quotes and line breaks, and numbers records by their first line', () => {
    const text = '\uFEFFa;b;c\r\n1;"x;y";"say ""hi"""\r\n\r\n2;"two\nlines";z\n3;;\n';
    expect(parseCsv(text, ';')).toEqual([
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, fields: ['1', 'x;y', 'say "hi"'] },
      { line: 4, fields: ['2', 'two\nlines', 'z'] },
      { line: 6, fields: ['3', '', ''] },
    ]);
  });

  it('detects semicolons (Magister) or commas from the header', () => {
    expect(detectDelimiter('student;givenBy\n1,2;parent')).toBe(';');
    expect(detectDelimiter('student,givenBy\n1;parent')).toBe(',');
    expect(detectDelimiter('\uFEFFleerling;"gegeven, door"')).toBe(';');
  });
});

describe('readConsentCsv', () => {
  let store: SqliteServerStore;
  const NOW = ams('2026-11-25 13:00');
  beforeEach(async () => {
    store = await SqliteServerStore.open({ path: ':memory:' });
    await store.putSchool(SCHOOL, 1);
    await store.putStudents(SCHOOL.id, [{ id: '100001', name: null, loginName: 'anne' }, { id: '100002', name: null, loginName: null }]);
  });
  afterEach(async () => store.close());

  it('reads ids and login names, defaults, Dutch givers, dates in school time and times with an offset', async () => {
    const text = 'Stamnummer;Toestemming;Schooljaar;Door;Datum\nanne;;;Ouders;2026-09-01T08:00\n100002;social-media;2025-2026;leerling;2025-10-01T07:00:00Z\n';
    const result = await readConsentCsv(store, SCHOOL, text, { now: NOW });
    expect(result.errors).toEqual([]);
    expect(result.consents).toEqual([
      { studentId: '100001', register: 'social-media', schoolYear: '2026-2027', givenBy: 'parent', registeredAt: ams('2026-09-01 08:00'), source: 'csv' },
      { studentId: '100002', register: 'social-media', schoolYear: '2025-2026', givenBy: 'student', registeredAt: Date.parse('2025-10-01T07:00:00Z'), source: 'csv' },
    ]);
  });

  it('names a missing column, a future date and a mixed file under --replace', async () => {
    expect((await readConsentCsv(store, SCHOOL, 'register;schoolYear\n', { now: NOW })).errors.map((e) => e.message).join(' '))
      .toMatch(/no "student" column.*no "givenBy" column/);
    expect((await readConsentCsv(store, SCHOOL, '', { now: NOW })).errors[0]?.message).toMatch(/empty/);
    expect((await readConsentCsv(store, SCHOOL, 'student;givenBy;registeredAt\nanne;parent;2027-01-01\n', { now: NOW })).errors)
      .toEqual([{ line: 2, message: 'registeredAt "2027-01-01" is in the future' }]);
    const mixed = await importConsents({ store, laptops: NO_LIVE_LAPTOPS }, { username: 'test' }, SCHOOL, 'student;givenBy;schoolYear\nanne;parent;2026-2027\n100002;parent;2025-2026\n', { now: NOW, replace: true });
    expect(mixed).toMatchObject({ ok: false, errors: [{ line: 0, message: expect.stringMatching(/--replace needs one register and school year/) }] });
    expect(await store.consents({})).toEqual([]);
  });

  it('records nothing on a dry run', async () => {
    const result = await importConsents({ store, laptops: NO_LIVE_LAPTOPS }, { username: 'test' }, SCHOOL, 'student,givenBy\nanne,parent\n', { now: NOW, dryRun: true });
    expect(result).toMatchObject({ ok: true, recorded: null, consents: [{ studentId: '100001' }] });
    expect(await store.consents({})).toEqual([]);
  });
});
