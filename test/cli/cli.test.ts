import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// The real program, in a real process, as an admin would run it.
const LESMODUS = fileURLToPath(new URL('../../src/cli/lesmodus.mjs', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../fixtures/timetables/', import.meta.url));
const run = promisify(execFile);

async function lesmodus(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [LESMODUS, ...args], { env: { ...process.env, NO_COLOR: '1' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const tmp = mkdtempSync(join(tmpdir(), 'lesmodus-cli-'));

describe('lesmodus --help', () => {
  it('lists the commands', async () => {
    const { code, stdout } = await lesmodus('--help');
    expect(code).toBe(0);
    for (const command of ['timetable import', 'policy explain', 'catalog classify', 'demo']) expect(stdout).toContain(command);
  });

  it.each(['timetable import', 'policy explain', 'catalog classify', 'demo'])('has help for %s', async (path) => {
    const { code, stdout } = await lesmodus(...path.split(' '), '--help');
    expect(code).toBe(0);
    expect(stdout).toMatch(new RegExp(`^Usage: lesmodus ${path}`));
    expect(stdout).toContain('--help');
  });

  it('refuses an unknown command or option with exit code 2 and a pointer to help', async () => {
    expect((await lesmodus('frobnicate')).code).toBe(2);
    const bad = await lesmodus('timetable', 'import', 'x.ics', '--jsno');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Unknown option '--jsno'[\s\S]*lesmodus timetable import --help/);
  });
});

describe('lesmodus timetable import', () => {
  it('prints the Zermelo lessons as JSON in UTC, sorted, with the cancelled one marked', async () => {
    const { code, stdout } = await lesmodus('timetable', 'import', join(FIXTURES, 'zermelo-student-v4.ics'), '--json');
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    expect(Object.keys(out)).toEqual(['lessons', 'allDay', 'warnings']);
    expect(Object.keys(out.lessons[0])).toEqual(['uid', 'start', 'end', 'subject', 'groups', 'teachers', 'location', 'cancelled', 'online']);
    expect(out.lessons[0]).toMatchObject({ start: '2026-11-23T07:30:00.000Z', end: '2026-11-23T08:20:00.000Z', subject: 'ne', groups: ['v4.ne2'], location: 'b104', cancelled: false });
    const starts = out.lessons.map((l: { start: string }) => l.start);
    expect(starts).toEqual([...starts].sort());
    expect(out.lessons.find((l: { subject: string }) => l.subject === 'gs')).toMatchObject({ cancelled: true, start: '2026-11-23T09:30:00.000Z' });
    expect(out.lessons.find((l: { subject: string }) => l.subject === 'inf')).toMatchObject({ online: true, location: null });
  });

  it('prints a readable table in local time', async () => {
    const { code, stdout } = await lesmodus('timetable', 'import', join(FIXTURES, 'outlook-h4a.ics'));
    expect(code).toBe(0);
    expect(stdout).toMatch(/Mon 2026-10-26 08:30\s+09:20\s+wis\s+h4a\s+JNS/);
    expect(stdout).toMatch(/Mon 2026-11-02 10:15\s+11:05/);
    expect(stdout).toContain('All day 2026-11-04 (no lessons)');
  });

  it('explains a file that is not a timetable, with exit code 1', async () => {
    const html = join(tmp, 'error.html');
    writeFileSync(html, '<!doctype html><title>502 Bad Gateway</title>');
    const { code, stderr } = await lesmodus('timetable', 'import', html, '--json');
    expect(code).toBe(1);
    expect(stderr).toMatch(/not an iCalendar/i);
    expect((await lesmodus('timetable', 'import', join(tmp, 'missing.ics'))).stderr).toMatch(/does not exist/);
  });
});

describe('lesmodus policy explain', () => {
  it('says social media is blocked during the Zermelo Monday lesson, citing III.A.1', async () => {
    const { code, stdout } = await lesmodus('policy', 'explain', '--timetable', join(FIXTURES, 'zermelo-student-v4.ics'), '--at', '2026-11-23T08:45', '--json');
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    expect(out).toMatchObject({ at: '2026-11-23T07:45:00.000Z', inLesson: true, nextChange: '2026-11-23T08:20:00.000Z' });
    expect(out.lesson.subject).toBe('ne');
    expect(out.blocked.categories).toEqual(['social']);
    expect(out.blocked.domains).toContain('instagram.com');
    expect(out.reasons[0]).toMatchObject({ rule: 'social-media-during-lessons', article: 'III.A.1' });
    expect(out.message.nl).toContain('art. III.A.1 Gedragscode Social Media SVOK');
    expect(out.message.nl).toContain('tot 09:20');
  });

  it('does not block during the cancelled lesson, unless on the school network', async () => {
    const args = ['policy', 'explain', '--timetable', join(FIXTURES, 'zermelo-student-v4.ics'), '--at', '2026-11-23T10:45+01:00', '--json'];
    const home = JSON.parse((await lesmodus(...args)).stdout);
    expect(home.inLesson).toBe(false);
    expect(home.blocked.categories).toEqual([]);
    const school = JSON.parse((await lesmodus(...args, '--on-school-network')).stdout);
    expect(school.blocked.capture).toEqual(['camera', 'microphone', 'screen']);
    expect(school.reasons[0].article).toBe('III.A.2');
  });

  it('honours a grant from the teacher of the lesson, and only theirs', async () => {
    const grant = join(tmp, 'grant.json');
    writeFileSync(grant, JSON.stringify({
      id: 'g-1',
      issuedBy: { username: 'jjansen', role: 'teacher', teacherCode: 'JNS' },
      reason: 'Socialemediacampagne analyseren',
      scope: { kind: 'window', start: Date.parse('2026-11-09T07:30:00Z'), end: Date.parse('2026-11-09T08:20:00Z') },
      allow: { categories: ['social'] },
      issuedAt: Date.parse('2026-11-09T07:00:00Z'),
      expiresAt: Date.parse('2026-11-09T08:20:00Z'),
    }));
    const outlook = JSON.parse((await lesmodus('policy', 'explain', '--timetable', join(FIXTURES, 'outlook-h4a.ics'), '--at', '2026-11-09T08:45', '--grant', grant, '--json')).stdout);
    expect(outlook.lesson).toMatchObject({ subject: 'wis', teachers: ['JNS'] });
    expect(outlook.blocked.categories).toEqual([]);
    expect(outlook.allowed[0]).toMatchObject({ grant: 'g-1', articles: ['III.A.1'], until: '2026-11-09T08:20:00.000Z' });
    expect(outlook.message.nl).toMatch(/^Er is nu niets geblokkeerd: JNS heeft een uitzondering gegeven tot 09:20/);

  });

  it('takes the README\'s example grant file, with times as `timetable import --json` prints them (and local ones in the policy\'s zone)', async () => {
    const example = fileURLToPath(new URL('../fixtures/grants/uitzondering-wis.json', import.meta.url));
    const { code, stdout, stderr } = await lesmodus('policy', 'explain', '--timetable', join(FIXTURES, 'outlook-h4a.ics'), '--at', '2026-11-09T08:45', '--grant', example, '--json');
    expect(code, stderr).toBe(0);
    const out = JSON.parse(stdout);
    expect(out.blocked.categories).toEqual([]);
    expect(out.allowed[0]).toMatchObject({ grant: 'voorbeeld-1', until: '2026-11-09T08:20:00.000Z' });
    // Issued at 08:35 Amsterdam time: before that, the lesson's block held.
    const before = JSON.parse((await lesmodus('policy', 'explain', '--timetable', join(FIXTURES, 'outlook-h4a.ics'), '--at', '2026-11-09T08:34', '--grant', example, '--json')).stdout);
    expect(before.blocked.categories).toEqual(['social']);
  });

  it('says which time in a grant file it cannot read', async () => {
    const grant = join(tmp, 'bad-time.json');
    writeFileSync(grant, JSON.stringify({ ...JSON.parse(readFileSync(fileURLToPath(new URL('../fixtures/grants/uitzondering-wis.json', import.meta.url)), 'utf8')), expiresAt: 'maandag 9:20' }));
    const { code, stderr } = await lesmodus('policy', 'explain', '--timetable', join(FIXTURES, 'outlook-h4a.ics'), '--at', '2026-11-09T08:45', '--grant', grant);
    expect(code).toBe(1);
    expect(stderr).toMatch(/expiresAt: "maandag 9:20" is not an ISO-8601 date and time/);
  });

  it('names the wrong field of a bad grant file', async () => {
    const grant = join(tmp, 'bad-grant.json');
    writeFileSync(grant, JSON.stringify({ id: 'g', issuedBy: { username: 'x', role: 'leader' }, scope: { kind: 'lesson' }, allow: {}, issuedAt: 1, expiresAt: 2 }));
    const { code, stderr } = await lesmodus('policy', 'explain', '--timetable', join(FIXTURES, 'zermelo-student-v4.ics'), '--at', '2026-11-23T08:45', '--grant', grant);
    expect(code).toBe(1);
    expect(stderr).toContain('bad-grant.json is not valid');
    expect(stderr).toMatch(/reason/);
    expect(stderr).toMatch(/scope\.lessonUid/);
  });

  it('refuses an instant that is not ISO-8601', async () => {
    const { code, stderr } = await lesmodus('policy', 'explain', '--timetable', join(FIXTURES, 'zermelo-student-v4.ics'), '--at', 'maandag 9 uur');
    expect(code).toBe(2);
    expect(stderr).toMatch(/not an ISO-8601/);
  });
});

describe('lesmodus catalog classify', () => {
  it('classifies processes, bundle ids and domains, with never-block winning', async () => {
    const { code, stdout } = await lesmodus('catalog', 'classify', '--os', 'darwin', '--process', 'Discord', '--bundle-id', 'com.obsproject.obs-studio', '--domain', 'https://www.instagram.com/p/x', '--domain', 'notinstagram.com', '--process', 'Microsoft Teams', '--json');
    expect(code).toBe(0);
    const { results } = JSON.parse(stdout);
    // Grouped by kind in a fixed order: processes, bundle ids, packages, command lines, domains.
    expect(results).toEqual([
      { kind: 'process', input: 'Discord', category: 'social', service: 'discord', neverBlock: false },
      { kind: 'process', input: 'Microsoft Teams', category: null, service: null, neverBlock: true },
      { kind: 'bundle-id', input: 'com.obsproject.obs-studio', category: 'screen-recording', service: 'obs-studio', neverBlock: false },
      { kind: 'domain', input: 'https://www.instagram.com/p/x', category: 'social', service: 'instagram', neverBlock: false },
      { kind: 'domain', input: 'notinstagram.com', category: null, service: null, neverBlock: false },
    ]);
  });

  it('requires --os for processes', async () => {
    const { code, stderr } = await lesmodus('catalog', 'classify', '--process', 'obs');
    expect(code).toBe(2);
    expect(stderr).toMatch(/--os is required/);
  });
});

describe('lesmodus demo', () => {
  it('walks the demo school day change by change, at home', async () => {
    const { code, stdout } = await lesmodus('demo', '--at', '2026-11-25T12:00', '--off-school-network');
    expect(code).toBe(0);
    expect(stdout).toContain('Demo Lyceum Kennemerland');
    expect(stdout).toMatch(/10:30 {2}Tijdens de les inf zijn social media, opname-apps en schermopname in de browser geblokkeerd tot 11:20/);
    expect(stdout).toMatch(/12:10 {2}Er is nu niets geblokkeerd\./);
  });

  it('blocks recording all school day on the school network', async () => {
    const { stdout } = await lesmodus('demo', '--at', '2026-11-25T12:00');
    expect(stdout).toMatch(/08:00 {2}Op school zijn opname-apps en de camera, de microfoon en schermopname in de browser geblokkeerd tot 17:30 \(art\. III\.A\.2/);
    expect(stdout).toMatch(/17:30 {2}Er is nu niets geblokkeerd\./);
  });
});
