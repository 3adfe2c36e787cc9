import { once } from 'node:events';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { verifySignature, type Signed } from '../../../src/adapters/signing.ts';
import { useCli } from './cli-harness.ts';

// The real program in real processes, as a school's admin runs it.
const FEED = fileURLToPath(new URL('../../fixtures/timetables/zermelo-student-v4.ics', import.meta.url));
const cli = useCli('server-cli');
const { tmp } = cli;
const lesmodus = (args: string[], stdin = '') => cli.run(args, stdin);
const started = (args: string[]) => cli.start(args);

async function logIn(url: string, username: string, password: string): Promise<{ cookie: string; csrf: string }> {
  const response = await fetch(`${url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  expect(response.status, await response.clone().text()).toBe(200);
  const { csrfToken } = await response.clone().json() as { csrfToken: string };
  return { cookie: response.headers.get('set-cookie')!.split(';')[0]!, csrf: csrfToken };
}

async function login(url: string, username: string, password: string): Promise<string> {
  return (await logIn(url, username, password)).cookie;
}

/** Waits for the demo to print `pattern` (a live process writes when it is ready, not on a schedule). */
async function printed(demo: { output: () => string }, pattern: RegExp): Promise<RegExpExecArray> {
  return vi.waitFor(() => {
    const match = pattern.exec(demo.output());
    if (match === null) throw new Error(`not printed yet: ${pattern}`);
    return match;
  }, { timeout: 15_000, interval: 50 });
}

describe('lesmodus server (spawned)', () => {
  const data = join(tmp, 'data');
  const store = ['--data-dir', data];
  const PASSWORD = 'een lang wachtwoord';

  it('init makes the data folder and an owner-only key pair, prints the public key, and keeps the key on a second run', async () => {
    const first = await lesmodus(['server', 'init', ...store, '--school', 'svok-college', '--school-name', 'SVOK College']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----\n$/);
    for (const file of ['server-signing-key.pem', 'server-signing-key.pub.pem']) expect(statSync(join(data, file)).mode & 0o777).toBe(0o600);
    expect(statSync(data).mode & 0o777).toBe(0o700);
    const second = await lesmodus(['server', 'init', ...store]);
    expect(second.stdout).toBe(first.stdout);
    expect(second.stderr).toContain('Kept the existing signing key');
  });

  it('user add reads the password from stdin and refuses a short one or a teacher without a code', async () => {
    const leader = await lesmodus(['server', 'user', 'add', ...store, '--role', 'leader', '--username', 'de-vries', '--school', 'svok-college'], `${PASSWORD}\n`);
    expect(leader.code, leader.stderr).toBe(0);
    const teacher = await lesmodus(['server', 'user', 'add', ...store, '--role', 'teacher', '--username', 'jansen', '--teacher-code', 'JNS', '--school', 'svok-college', '--name', 'Dhr. Jansen'], `${PASSWORD}\n`);
    expect(teacher.stdout).toContain("Added teacher 'jansen' (JNS) at svok-college.");
    const short = await lesmodus(['server', 'user', 'add', ...store, '--role', 'admin', '--username', 'x'], 'kort\n');
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/at least 10 characters/);
    expect((await lesmodus(['server', 'user', 'add', ...store, '--role', 'teacher', '--username', 'y', '--school', 'svok-college'], `${PASSWORD}\n`)).code).toBe(2);
    expect((await lesmodus(['server', 'user', 'add', ...store, '--role', 'leader', '--username', 'de-vries'], `${PASSWORD}\n`)).code).toBe(1);
  });

  it('timetable import stores a feed for the school', async () => {
    const result = await lesmodus(['server', 'timetable', 'import', FEED, ...store]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^svok-college: \d+ lessons imported from /);
    expect((await lesmodus(['server', 'timetable', 'import', join(tmp, 'missing.ics'), ...store])).code).toBe(1);
  });

  it('enroll-secret prints a secret once and stores only its hash', async () => {
    const result = await lesmodus(['server', 'enroll-secret', ...store]);
    expect(result.code, result.stderr).toBe(0);
    const secret = result.stdout.trim();
    expect(secret).toMatch(/^lme1\.[A-Za-z0-9_-]{43}$/);
    const file = join(data, 'enrollment-secrets.json');
    expect(readFileSync(file, 'utf8')).not.toContain(secret.slice(5));
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('serves the API: a teacher logs in, a device enrolls and gets a schedule signed with the printed key; SIGTERM stops it cleanly', async () => {
    const publicKey = (await lesmodus(['server', 'init', ...store])).stdout;
    const secret = (await lesmodus(['server', 'enroll-secret', ...store])).stdout.trim();
    const server = await started(['server', ...store, '--port', '0']);
    const cookie = await login(server.url, 'jansen', PASSWORD);
    expect((await fetch(`${server.url}/api/v1/me`, { headers: { cookie } })).status).toBe(200);
    const enrolled = await (await fetch(`${server.url}/api/v1/devices/enroll`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ enrollmentSecret: secret, hostname: 'LAPTOP-1', serial: null, os: 'linux', agentVersion: '0.1.0', loginName: null }),
    })).json() as { credential: string };
    const schedule = await (await fetch(`${server.url}/api/v1/device/schedule`, { headers: { authorization: `Bearer ${enrolled.credential}` } })).json() as Signed<unknown>;
    expect(verifySignature(schedule, publicKey)).toBe(true);
    server.child.kill('SIGTERM');
    const [code] = await once(server.child, 'close');
    expect(code, server.output()).toBe(0);
  });

  it('export writes the exception log as CSV or JSON', async () => {
    const csv = await lesmodus(['server', 'export', ...store, '--from', '2026-01-01', '--to', '2027-01-01', '--format', 'csv']);
    expect(csv.code, csv.stderr).toBe(0);
    expect(csv.stdout.split('\r\n')[0]).toMatch(/^"id","school","status"/);
    const json = await lesmodus(['server', 'export', ...store, '--format', 'json']);
    expect(JSON.parse(json.stdout)).toEqual([]);
    expect((await lesmodus(['server', 'export', ...store, '--format', 'xml'])).code).toBe(2);
  });

  it('demo starts a seeded school, prints the logins, and cleans up after itself', async () => {
    const demo = await started(['server', 'demo', '--port', '0']);
    await printed(demo, /Stop with Ctrl-C/);
    expect(demo.output()).toMatch(/dewit\s+leader/);
    const password = /password for all: (\S+)\)/.exec(demo.output())![1]!;
    const cookie = await login(demo.url, 'dewit', password);
    const log = await (await fetch(`${demo.url}/api/v1/exceptions`, { headers: { cookie } })).json() as { total: number };
    expect(log.total).toBeGreaterThanOrEqual(1);
    // The live laptop: the real agent, in dry-run, enrolled as the student without a laptop and answering on its socket.
    await printed(demo, /A live laptop: this computer runs the agent in dry-run .* as Liam de Boer \(ldeboer\)/);
    // The request log goes to a file, so the console shows the logins and the laptop.
    expect(demo.output()).not.toContain('"message":"request"');
    const logFile = (await printed(demo, /Server log \(every request\): (\S+)/))[1]!;
    expect(readFileSync(logFile, 'utf8')).toContain('"message":"request"');
    const socket = /agent status --control-socket (\S+)/.exec(demo.output())![1]!;
    let status: { sync?: { deviceId: string | null } } = {};
    for (let tries = 0; tries < 100 && !status.sync?.deviceId; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const asked = await lesmodus(['agent', 'status', '--control-socket', socket, '--json']);
      if (asked.code === 0) status = JSON.parse(asked.stdout);
    }
    expect(status).toMatchObject({ running: true, dryRun: true, sync: { server: demo.url } });
    const devices = await (await fetch(`${demo.url}/api/v1/devices`, { headers: { cookie } })).json() as { devices: { deviceId: string; studentName: string | null }[] };
    expect(devices.devices).toContainEqual(expect.objectContaining({ deviceId: status.sync!.deviceId, studentName: 'Liam de Boer' }));
    const folder = /Data: (\S+) /.exec(demo.output())![1]!;
    expect(existsSync(folder)).toBe(true);
    demo.child.kill('SIGINT');
    const [code] = await once(demo.child, 'close');
    expect(code).toBe(0);
    expect(existsSync(folder)).toBe(false);
  });

  it('demo --at puts server, portal and laptop at that moment: on a Saturday a teacher grants in Wednesday\'s lesson and the laptop applies it', async () => {
    const demo = await started(['server', 'demo', '--port', '0', '--at', '2026-12-02T09:30']);
    await printed(demo, /Demo clock: it is Wed 2026-12-02 09:30 \(Europe\/Amsterdam\)/);
    const password = (await printed(demo, /password for all: (\S+)\)/))[1]!;
    const teacher = await logIn(demo.url, 'jansen', password);
    const day = await (await fetch(`${demo.url}/api/v1/lessons`, { headers: { cookie: teacher.cookie } })).json() as { date: string; now: number; lessons: { uid: string; start: number; end: number; subject: string }[] };
    expect(day.date).toBe('2026-12-02');
    expect(day.now).toBeGreaterThanOrEqual(Date.parse('2026-12-02T08:30:00Z'));
    expect(day.now).toBeLessThan(Date.parse('2026-12-02T08:40:00Z'));
    const lesson = day.lessons.find((l) => l.start <= day.now && day.now < l.end)!;
    expect(lesson.subject).toBe('ne');
    // The laptop (the student without consent for social media is someone else) is in that lesson by the demo clock too.
    await printed(demo, /\[laptop\] 2026-12-02 09:3\d:\d\d\+01:00 .*decision: Tijdens de les ne is social media geblokkeerd tot 10:10/);
    const granted = await fetch(`${demo.url}/api/v1/grants`, {
      method: 'POST',
      headers: { cookie: teacher.cookie, 'x-csrf-token': teacher.csrf, 'content-type': 'application/json' },
      body: JSON.stringify({ scope: { kind: 'lesson', lessonUid: lesson.uid, lessonStart: lesson.start }, allow: { categories: ['social'] }, reason: 'Instagram-campagne analyseren' }),
    });
    expect(granted.status, await granted.clone().text()).toBe(201);
    await printed(demo, /\[laptop\] .*exception\.applied /);
    demo.child.kill('SIGINT');
    expect((await once(demo.child, 'close'))[0]).toBe(0);
  });

  it('demo --at refuses a moment it cannot read, and a real server refuses --at', async () => {
    const bad = await lesmodus(['server', 'demo', '--port', '0', '--at', 'zaterdag']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--at 'zaterdag' is not a date and time; write it as 2026-12-02T10:45");
    const real = await lesmodus(['server', ...store, '--port', '0', '--at', '2026-12-02T10:45']);
    expect(real.code).toBe(2);
    expect(real.stderr).toContain('--at moves the demo');
  });

  it('refuses an unknown server command with a list of the real ones', async () => {
    const result = await lesmodus(['server', 'frobnicate']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('enroll-secret');
  });
});
