import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EnrollmentSecretFile } from '../../../src/server/auth/enrollment-secrets.ts';
import type { SqliteServerStore } from '../../../src/server/store/index.ts';
import { device, SCHOOL } from '../store/fixtures.ts';
import { useCli, withSqliteStore } from './cli-harness.ts';

// Enrollment secrets and laptops cut off from the command line, in real processes on a SQLite data folder.
const cli = useCli('revoke-cli');
const data = join(cli.tmp, 'data');
const store = ['--data-dir', data];
const secretsFile = join(data, 'enrollment-secrets.json');

const withDb = <T>(use: (db: SqliteServerStore) => Promise<T>) => withSqliteStore(data, use);

beforeAll(async () => {
  const init = await cli.run(['server', 'init', ...store, '--school', SCHOOL.id, '--school-name', SCHOOL.name]);
  expect(init.code, init.stderr).toBe(0);
});

describe('lesmodus server enroll-secret list / revoke (spawned)', () => {
  it('lists secrets without the secrets, revokes one by id or prefix, and the revoked one no longer matches', async () => {
    const first = (await cli.run(['server', 'enroll-secret', ...store])).stdout.trim();
    const second = (await cli.run(['server', 'enroll-secret', ...store])).stdout.trim();
    const [a, b] = await new EnrollmentSecretFile(secretsFile).list();

    const listed = await cli.run(['server', 'enroll-secret', 'list', ...store]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/^Id\s+School\s+Created\s+Revoked$/m);
    expect(listed.stdout).toMatch(new RegExp(`^${a!.id}\\s+svok-college\\s+\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\s+no$`, 'm'));
    expect(listed.stdout).toContain('2 enrollment secrets, 2 valid');
    expect(listed.stdout).not.toContain(first.slice(5));

    const revoked = await cli.run(['server', 'enroll-secret', 'revoke', ...store, a!.id.slice(0, 8)]);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toContain(`Revoked enrollment secret ${a!.id}`);
    const again = await cli.run(['server', 'enroll-secret', 'revoke', ...store, a!.id]);
    expect(again.stdout).toMatch(/already revoked/);
    // Made and revoked on the command line, audited under the CLI user as the admin page's are: revoked once.
    const audit = await withDb((db) => db.auditLog({ subjectKind: 'enrollment-secret', subjectId: a!.id }, { limit: 10, offset: 0 }));
    expect(audit.rows.map((r) => [r.action, r.username])).toEqual([
      ['revoke-enrollment-secret', expect.stringMatching(/^cli:/)], ['create-enrollment-secret', expect.stringMatching(/^cli:/)],
    ]);

    const after = await cli.run(['server', 'enroll-secret', 'list', ...store]);
    expect(after.stdout).toMatch(new RegExp(`^${a!.id}\\s+svok-college\\s+\\S+\\s+yes, \\d{4}-`, 'm'));
    expect(after.stdout).toMatch(new RegExp(`^${b!.id}\\s+svok-college\\s+\\S+\\s+no$`, 'm'));
    expect(after.stdout).toContain('2 enrollment secrets, 1 valid');

    const file = new EnrollmentSecretFile(secretsFile);
    expect(await file.match(first)).toBeNull();
    expect(await file.match(second)).toMatchObject({ id: b!.id });
    // Still format version 1: an older file without revokedAt reads the same.
    expect(JSON.parse(readFileSync(secretsFile, 'utf8'))).toMatchObject({ version: 1, secrets: [{ id: a!.id, revokedAt: expect.any(Number) }, { id: b!.id }] });
  });

  it('says so for an unknown id, and wants one', async () => {
    const unknown = await cli.run(['server', 'enroll-secret', 'revoke', ...store, 'no-such-secret']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no single enrollment secret 'no-such-secret'/);
    expect((await cli.run(['server', 'enroll-secret', 'revoke', ...store])).code).toBe(2);
  });
});

describe('lesmodus server device revoke / restore (spawned)', () => {
  it('revokes a laptop, audited, and restores it', async () => {
    await withDb(async (db) => { await db.enrollDevice(device('laptop-1'), 1); });
    const revoked = await cli.run(['server', 'device', 'revoke', ...store, 'laptop-1']);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toContain('Revoked device laptop-1 (laptop-laptop-1)');
    const stored = await withDb((db) => db.device('laptop-1'));
    expect(stored).toMatchObject({ revokedAt: expect.any(Number), revokedBy: expect.stringMatching(/^cli/) });
    expect((await cli.run(['server', 'device', 'revoke', ...store, 'laptop-1'])).stdout).toMatch(/already revoked/);

    const restored = await cli.run(['server', 'device', 'restore', ...store, 'laptop-1']);
    expect(restored.code, restored.stderr).toBe(0);
    expect(await withDb((db) => db.device('laptop-1'))).toMatchObject({ revokedAt: null });
    const audit = await withDb((db) => db.auditLog({ subjectKind: 'device', subjectId: 'laptop-1' }, { limit: 10, offset: 0 }));
    expect(audit.rows.map((e) => e.action)).toEqual(['restore-device', 'revoke-device']);

    const ghost = await cli.run(['server', 'device', 'revoke', ...store, 'ghost']);
    expect(ghost.code).toBe(1);
    expect(ghost.stderr).toContain("There is no device 'ghost'");
  });
});

describe('lesmodus server device rules import / list (spawned)', () => {
  it("makes the MDM's export the school's device rules (audited), names every bad line and then changes nothing, and lists them", async () => {
    await withDb(async (db) => {
      await db.putStudents(SCHOOL.id, [{ id: '100231', name: 'Sanne', loginName: 'sdevries' }, { id: '100232', name: 'Daan', loginName: 'djansen' }]);
    });
    const good = join(cli.tmp, 'intune.csv');
    writeFileSync(good, 'Serial number;Device name;Primary user\nPF3X9K2;LL-0142.school.local;sdevries\n;LL-0187;100232\n');
    const imported = await cli.run(['server', 'device', 'rules', 'import', ...store, good, '--hostname-pattern', 'll-{student}']);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toContain('svok-college: 4 device rules (3 from');
    expect(await withDb((db) => db.deviceRules(SCHOOL.id))).toEqual([
      { kind: 'hostname', value: 'll-0142', studentId: '100231', recordedAt: expect.any(Number) },
      { kind: 'hostname', value: 'll-0187', studentId: '100232', recordedAt: expect.any(Number) },
      { kind: 'hostname-pattern', value: 'll-{student}', studentId: null, recordedAt: expect.any(Number) },
      { kind: 'serial', value: 'PF3X9K2', studentId: '100231', recordedAt: expect.any(Number) },
    ]);
    expect((await withDb((db) => db.auditLog({}, { limit: 20, offset: 0 }))).rows).toContainEqual(expect.objectContaining({ action: 'replace-device-rules' }));

    const bad = join(cli.tmp, 'bad.csv');
    writeFileSync(bad, 'serial,student\nX1,nobody\n,100231\n');
    const refused = await cli.run(['server', 'device', 'rules', 'import', ...store, bad]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/bad\.csv:2: no student with number or login name "nobody"/);
    expect(refused.stderr).toMatch(/bad\.csv:3: neither a serial number nor a hostname/);
    expect(await withDb((db) => db.deviceRules(SCHOOL.id))).toHaveLength(4);

    const listed = await cli.run(['server', 'device', 'rules', 'list', ...store]);
    expect(listed.stdout).toMatch(/^serial\s+PF3X9K2\s+100231\s+\d{4}-/m);
    expect((await cli.run(['server', 'device', 'rules', 'import', ...store])).code).toBe(2);
  });
});
