import { once } from 'node:events';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SQLITE_FILE_NAME, SqliteServerStore } from '../../../src/server/store/index.ts';
import { sql } from '../../../src/server/store/sql.ts';
import { DAY, device, HOUR, leader, SCHOOL, tamperEvent, windowGrant } from '../store/fixtures.ts';
import { useCli } from './cli-harness.ts';

// `lesmodus server prune` and the running server's prune, in real processes on a SQLite data folder.
const cli = useCli('retention-cli');
const { tmp } = cli;
const lesmodus = (args: string[]) => cli.run(args);

const data = join(tmp, 'data');
const store = ['--data-dir', data];
const NOW = Date.now();

/** Rows of each kind: one past the default retention, one well within it. */
async function seed(): Promise<void> {
  const db = await SqliteServerStore.open({ path: join(data, SQLITE_FILE_NAME) });
  try {
    await db.createUser(leader('de-vries'), NOW - 900 * DAY);
    await db.enrollDevice(device('d1'), NOW - 900 * DAY);
    await db.ingestEvents('d1', [tamperEvent(1, 1, NOW - 200 * DAY), tamperEvent(2, 2, NOW - 10 * DAY)], NOW - DAY);
    await db.recordDeviceContact('d1', NOW - 200 * DAY);
    await db.recordDeviceContact('d1', NOW - 10 * DAY);
    await db.createGrant(windowGrant('g-old', NOW - 800 * DAY - HOUR, NOW - 800 * DAY), NOW - 801 * DAY);
    // Made with an Idempotency-Key: the key (long past its 24 hours) goes, the exception stays.
    await db.createGrant(windowGrant('g-recent', NOW - 100 * DAY - HOUR, NOW - 100 * DAY), NOW - 101 * DAY, { username: 'de-vries', key: 'old-key', requestHash: 'h' });
    await db.recordAudit({ at: NOW - 800 * DAY, username: 'de-vries', action: 'export-log', subject: { kind: 'exception-log', id: 'all' }, schoolId: null, detail: null });
    await db.recordAudit({ at: NOW - DAY, username: 'de-vries', action: 'export-log', subject: { kind: 'exception-log', id: 'all' }, schoolId: null, detail: null });
    await db.createSession({ tokenHash: 'expired', username: 'de-vries', createdAt: NOW - 2 * DAY, expiresAt: NOW - DAY });
  } finally {
    await db.close();
  }
}

async function remaining(): Promise<Record<string, number>> {
  const db = await SqliteServerStore.open({ path: join(data, SQLITE_FILE_NAME) });
  try {
    const count = async (table: string) => (await db.driver.get<{ n: number }>(
      { device_events: sql`SELECT count(*) AS n FROM device_events`, device_contact: sql`SELECT count(*) AS n FROM device_contact`,
        grants: sql`SELECT count(*) AS n FROM grants`, audit_log: sql`SELECT count(*) AS n FROM audit_log`, sessions: sql`SELECT count(*) AS n FROM sessions`,
        devices: sql`SELECT count(*) AS n FROM devices`, users: sql`SELECT count(*) AS n FROM users` }[table]!))!.n;
    const tables = ['device_events', 'device_contact', 'grants', 'audit_log', 'sessions', 'devices', 'users'];
    return Object.fromEntries(await Promise.all(tables.map(async (t) => [t, await count(t)] as const)));
  } finally {
    await db.close();
  }
}

/** The data rows of the printed table: label → count. */
function countsIn(stdout: string): Record<string, number> {
  return Object.fromEntries([...stdout.matchAll(/^(.+?)\s{2,}(\d+)$/gm)].map((m) => [m[1]!.trim(), Number(m[2])]));
}

describe('lesmodus server prune (spawned)', () => {
  beforeAll(async () => {
    const init = await lesmodus(['server', 'init', ...store, '--school', SCHOOL.id, '--school-name', SCHOOL.name]);
    expect(init.code, init.stderr).toBe(0);
    await seed();
  });

  it('--dry-run prints what would be deleted per kind and deletes nothing', async () => {
    const before = await remaining();
    const run = await lesmodus(['server', 'prune', ...store, '--dry-run']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^Would delete \(events older than 180 days, exceptions and audit entries older than 730 days; SQLite in /);
    expect(countsIn(run.stdout)).toEqual({
      'device events': 1,
      'device contact intervals': 1,
      exceptions: 1,
      'audit log entries': 1,
      'expired sessions': 1,
      'consents (school year ended)': 0,
      'idempotency keys (older than 24 hours)': 1,
    });
    expect(run.stdout).toContain('Dry run: nothing was deleted.');
    expect(await remaining()).toEqual(before);
  });

  it('refuses retention shorter than the minimums, and says why', async () => {
    const events = await lesmodus(['server', 'prune', ...store, '--retention-event-days', '7']);
    expect(events.code).toBe(2);
    expect(events.stderr).toMatch(/--retention-event-days must be at least 30, not 7: the server keeps device events at least as long as the laptops do/);
    const exceptions = await lesmodus(['server', 'prune', ...store, '--retention-exception-days', '200']);
    expect(exceptions.code).toBe(2);
    expect(exceptions.stderr).toMatch(/--retention-exception-days must be at least 365, not 200: leaders must be able to account for a whole school year/);
    for (const value of ['1.5', '-40', 'veel', '']) {
      const wrong = await lesmodus(['server', 'prune', ...store, `--retention-event-days=${value}`]);
      expect(wrong.code, value).toBe(2);
      expect(wrong.stderr, value).toMatch(/--retention-event-days must be a whole number of days/);
    }
    const start = await lesmodus(['server', ...store, '--port', '0', '--retention-exception-days', '364']);
    expect(start.code).toBe(2);
    expect(start.stderr).toMatch(/school year/);
  });

  it('deletes what is past retention, prints it per kind, and deletes nothing more the second time', async () => {
    const before = await remaining();
    const run = await lesmodus(['server', 'prune', ...store]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^Deleted \(events older than 180 days/);
    expect(Object.values(countsIn(run.stdout))).toEqual([1, 1, 1, 1, 1, 0, 1]);
    expect(await remaining()).toEqual({ ...before, device_events: 1, device_contact: 1, grants: 1, audit_log: 1, sessions: 0 });

    const again = await lesmodus(['server', 'prune', ...store]);
    expect(again.code, again.stderr).toBe(0);
    expect(Object.values(countsIn(again.stdout))).toEqual([0, 0, 0, 0, 0, 0, 0]);
  });

  it('honours longer retention from the options', async () => {
    // The only event left is ten days old: within 30 days' retention too.
    const run = await lesmodus(['server', 'prune', ...store, '--dry-run', '--retention-event-days', '30', '--retention-exception-days', '365']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/events older than 30 days, exceptions and audit entries older than 365 days/);
    expect(countsIn(run.stdout)['device events']).toBe(0);
  });

  it('the running server prunes once at start and logs the counts', async () => {
    const db = await SqliteServerStore.open({ path: join(data, SQLITE_FILE_NAME) });
    await db.ingestEvents('d1', [tamperEvent(3, 3, NOW - 40 * DAY)], NOW);
    await db.close();
    const server = await cli.start(['server', ...store, '--port', '0', '--retention-event-days', '30']);
    const child = server.child;
    const line = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const check = () => {
        const found = server.output().split('\n').find((l) => l.includes('"retention: pruned"'));
        if (found) resolve(JSON.parse(found) as Record<string, unknown>);
        else if (child.exitCode !== null) reject(new Error(`the server exited before pruning:\n${server.output()}`));
        else setTimeout(check, 20);
      };
      check();
    });
    expect(line).toMatchObject({ level: 'info', deviceEvents: 1, contactIntervals: 0, exceptions: 0, auditEntries: 0, sessions: 0, idempotencyKeys: 0, eventDays: 30, exceptionDays: 730 });
    child.kill('SIGTERM');
    const [code] = await once(child, 'close');
    expect(code).toBe(0);
    expect((await remaining()).device_events).toBe(1);
  });
});
