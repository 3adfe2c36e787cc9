import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EnrollmentSecretFile } from '../../../src/server/auth/enrollment-secrets.ts';
import { SQLITE_FILE_NAME, SqliteServerStore } from '../../../src/server/store/index.ts';
import { device, SCHOOL } from '../store/fixtures.ts';
import { useCli } from './cli-harness.ts';

// Enrollment secrets and laptops cut off from the command line, in real processes on a SQLite data folder.
const cli = useCli('revoke-cli');
const data = join(cli.tmp, 'data');
const store = ['--data-dir', data];
const secretsFile = join(data, 'enrollment-secrets.json');

async function withDb<T>(use: (db: SqliteServerStore) => Promise<T>): Promise<T> {
  const db = await SqliteServerStore.open({ path: join(data, SQLITE_FILE_NAME) });
  try {
    return await use(db);
  } finally {
    await db.close();
  }
}

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
