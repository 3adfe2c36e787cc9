import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SqliteServerStore } from '../../../src/server/store/index.ts';
import { SCHOOL } from '../store/fixtures.ts';
import { useCli, withSqliteStore } from './cli-harness.ts';

// `lesmodus server roster import` in real processes on a SQLite data folder, as a school's admin runs it.
const cli = useCli('roster-cli');
const data = join(cli.tmp, 'data');
const store = ['--data-dir', data, '--school', SCHOOL.id];
const fixture = (name: string) => {
  const path = join(cli.tmp, name);
  copyFileSync(fileURLToPath(new URL(`../../fixtures/school-data/${name}`, import.meta.url)), path);
  return path;
};

const open = <T>(use: (db: SqliteServerStore) => Promise<T>) => withSqliteStore(data, use);

beforeAll(async () => {
  mkdirSync(data, { recursive: true });
  await open((db) => db.putSchool(SCHOOL, 1));
});

describe('lesmodus server roster import (spawned)', () => {
  it('refuses a bad file naming each line in Dutch (English with --lang en) and stores nothing', async () => {
    const bad = join(cli.tmp, 'bad.csv');
    writeFileSync(bad, 'Leerlingnummer,Roepnaam,Stamgroep\n230110,Noah,M2B\n,Fleur,M2B\n230110,Sem,M2B\n');
    const nl = await cli.run(['server', 'roster', 'import', ...store, bad]);
    expect(nl.code, nl.stderr).toBe(1);
    expect(nl.stderr).toContain(`${bad}:3: het leerlingnummer is leeg`);
    expect(nl.stderr).toContain(`${bad}:4: leerlingnummer 230110 staat al op regel 2`);
    expect(nl.stderr).toContain('2 fouten in 3 regels: er is niets ingelezen');
    const en = await cli.run(['server', 'roster', 'import', ...store, '--lang', 'en', bad]);
    expect(en.stderr).toContain(`${bad}:4: student number 230110 is on line 2 already`);
    expect(await open((db) => db.groups(SCHOOL.id))).toEqual([]);
  });

  it('previews with --dry-run, then imports a Magister export as the roster, audited under the CLI user', async () => {
    const file = fixture('magister-leerlingen.csv');
    const dry = await cli.run(['server', 'roster', 'import', ...store, '--dry-run', file]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('6 leerlingen en 12 groepen');
    expect(dry.stdout).toContain('proef: niets opgeslagen');
    expect(await open((db) => db.groups(SCHOOL.id))).toEqual([]);

    const done = await cli.run(['server', 'roster', 'import', ...store, '--format', 'magister', file]);
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toContain('(Magister-export) ingelezen: 6 nieuw, 0 gewijzigd, 0 ongewijzigd');
    const { members, audit } = await open(async (db) => ({
      members: (await db.studentsInGroup(SCHOOL.id, 'h4a.ne')).map((s) => s.name),
      audit: (await db.auditLog({}, { limit: 5, offset: 0 })).rows,
    }));
    expect(members).toEqual(['Sanne de Vries', 'Elif Yılmaz', 'Zoë van den Berg']);
    expect(audit).toEqual([expect.objectContaining({ action: 'put-roster', username: expect.stringMatching(/^cli:/), detail: 'magister: 6 students, 12 groups' })]);

    const wrong = await cli.run(['server', 'roster', 'import', ...store, '--format', 'somtoday', file]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('dit lijkt een Magister-export');
  });

  it("lesmodus server devices import takes Intune's export after the roster: serials and names per student, others listed as left out", async () => {
    const file = fixture('intune-devices.csv');
    const result = await cli.run(['server', 'devices', 'import', ...store, file]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`${file}:4: left out (no student with number or login name "jansen@svok-college.nl")`);
    expect(result.stdout).toContain(`${SCHOOL.id}: 3 serials and 3 device names from ${file}, 2 devices left out, 0 hostname patterns kept.`);
    expect(await open((db) => db.deviceRules(SCHOOL.id))).toHaveLength(6);
  });
});
