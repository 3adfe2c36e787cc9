import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { linuxPolicyWriter } from '../../../src/agent/browser/linux-policy-writer.ts';
import { LINUX_OWNER_RECORD_DIR } from '../../../src/agent/browser/linux-policy-plan.ts';
import { browserRestrictions, NO_RESTRICTIONS } from '../../../src/agent/browser/restrictions.ts';
import { LESSON_BLOCKED, NEVER_BLOCK, SOCIAL, SOCIAL_FILTERS } from './fixtures.ts';

const ROUTE = { pacUrl: 'data:application/x-ns-proxy-autoconfig;base64,AA==' };
const LESSON = browserRestrictions(LESSON_BLOCKED, NEVER_BLOCK);
const CHROMIUM_DIR = 'etc/chromium/policies/managed';
const FIREFOX = 'etc/firefox/policies/policies.json';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'lesmodus-policy-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const at = (path: string) => join(root, path);
const read = (path: string) => readFileSync(at(path), 'utf8');
const json = (path: string): unknown => JSON.parse(read(path));
const write = (path: string, content: string) => {
  mkdirSync(join(at(path), '..'), { recursive: true });
  writeFileSync(at(path), content);
};
/** Every file under root, relative, sorted. */
function tree(dir = root, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tree(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]).sort();
}

describe('the Linux policy writer', () => {
  it('writes the route and lesson files for every browser, creating directories, readable by all and writable by root only', async () => {
    const report = await linuxPolicyWriter({ root, dryRun: false })(LESSON, ROUTE);
    expect(report.warnings).toEqual([]);
    expect(report.errors).toEqual([]);
    expect(tree()).toEqual([
      'etc/brave/policies/managed/lesmodus-lesson.json',
      'etc/brave/policies/managed/lesmodus-route.json',
      'etc/chromium/policies/managed/lesmodus-lesson.json',
      'etc/chromium/policies/managed/lesmodus-route.json',
      'etc/firefox/policies/policies.json',
      'etc/opt/chrome/policies/managed/lesmodus-lesson.json',
      'etc/opt/chrome/policies/managed/lesmodus-route.json',
      'etc/opt/edge/policies/managed/lesmodus-lesson.json',
      'etc/opt/edge/policies/managed/lesmodus-route.json',
      `${LINUX_OWNER_RECORD_DIR.slice(1)}/firefox-policies.json.owner`,
    ]);
    expect(json(`${CHROMIUM_DIR}/lesmodus-lesson.json`)).toEqual({
      URLBlocklist: SOCIAL_FILTERS,
      URLAllowlist: [`school.${SOCIAL}`],
      VideoCaptureAllowed: false,
      AudioCaptureAllowed: false,
      ScreenCaptureAllowed: false,
    });
    expect(json(`${CHROMIUM_DIR}/lesmodus-route.json`)).toEqual({ ProxySettings: { ProxyMode: 'pac_script', ProxyPacUrl: ROUTE.pacUrl } });
    expect(json(FIREFOX)).toMatchObject({ policies: { WebsiteFilter: { Block: [`*://*.${SOCIAL}/*`] } } });
    expect(statSync(at(`${CHROMIUM_DIR}/lesmodus-lesson.json`)).mode & 0o777).toBe(0o644);
  });

  it('removes the lesson files when the lesson ends and keeps the route', async () => {
    const writer = linuxPolicyWriter({ root, dryRun: false, browsers: ['chromium', 'firefox'] });
    await writer(LESSON, ROUTE);
    const report = await writer(NO_RESTRICTIONS, ROUTE);
    expect(report.actions.map((a) => [a.path, a.op])).toEqual([
      ['/etc/chromium/policies/managed/lesmodus-route.json', 'unchanged'],
      ['/etc/chromium/policies/managed/lesmodus-lesson.json', 'remove'],
      ['/etc/firefox/policies/policies.json', 'write'],
    ]);
    expect(existsSync(at(`${CHROMIUM_DIR}/lesmodus-lesson.json`))).toBe(false);
    expect(json(FIREFOX)).toEqual({ policies: { Proxy: { Mode: 'autoConfig', AutoConfigURL: ROUTE.pacUrl, Locked: true } } });
  });

  it('removes everything of its own when there is neither a route nor a lesson', async () => {
    const writer = linuxPolicyWriter({ root, dryRun: false, browsers: ['chromium', 'firefox'] });
    await writer(LESSON, ROUTE);
    await writer(NO_RESTRICTIONS, null);
    expect(tree()).toEqual([]);
  });

  it('leaves no temporary file in the managed directory, where Chromium would parse it', async () => {
    const writer = linuxPolicyWriter({ root, dryRun: false, browsers: ['chromium'] });
    for (let i = 0; i < 5; i++) await writer(i % 2 ? NO_RESTRICTIONS : LESSON, ROUTE);
    expect(readdirSync(at(CHROMIUM_DIR))).toEqual(['lesmodus-lesson.json', 'lesmodus-route.json']);
    expect(readdirSync(at('etc/chromium/policies'))).toEqual(['managed']);
  });

  it('never touches an admin file in the managed directory, and leaves the keys it sets to it', async () => {
    write(`${CHROMIUM_DIR}/school.json`, '{ "VideoCaptureAllowed": true, "ProxyMode": "system", }');
    const report = await linuxPolicyWriter({ root, dryRun: false, browsers: ['chromium'] })(LESSON, ROUTE);
    expect(read(`${CHROMIUM_DIR}/school.json`)).toBe('{ "VideoCaptureAllowed": true, "ProxyMode": "system", }');
    expect(json(`${CHROMIUM_DIR}/lesmodus-lesson.json`)).not.toHaveProperty('VideoCaptureAllowed');
    expect(json(`${CHROMIUM_DIR}/lesmodus-lesson.json`)).toHaveProperty('URLBlocklist');
    expect(existsSync(at(`${CHROMIUM_DIR}/lesmodus-route.json`))).toBe(false);
    expect(report.warnings).toHaveLength(2);
    expect(report.warnings.join('\n')).toMatch(/VideoCaptureAllowed/);
    expect(report.warnings.join('\n')).toMatch(/ProxySettings/);
  });

  it('does not clobber an admin policies.json for Firefox, and says so', async () => {
    const theirs = '{ "policies": { "DisableTelemetry": true } }\n';
    write(FIREFOX, theirs);
    const writer = linuxPolicyWriter({ root, dryRun: false, browsers: ['firefox'] });
    for (const restrictions of [LESSON, NO_RESTRICTIONS]) {
      const report = await writer(restrictions, ROUTE);
      expect(report.actions).toEqual([{ path: '/etc/firefox/policies/policies.json', op: 'skipped' }]);
      expect(report.warnings[0]).toMatch(/not written by Lesmodus/);
    }
    expect(read(FIREFOX)).toBe(theirs);
  });

  it('stops managing its Firefox file once an admin has changed it', async () => {
    const writer = linuxPolicyWriter({ root, dryRun: false, browsers: ['firefox'] });
    await writer(LESSON, ROUTE);
    write(FIREFOX, `${read(FIREFOX)} `);
    const edited = read(FIREFOX);
    expect((await writer(NO_RESTRICTIONS, null)).actions[0]?.op).toBe('skipped');
    expect(read(FIREFOX)).toBe(edited);
  });

  it('still recognises its Firefox file after a crash between recording and renaming', async () => {
    const writer = linuxPolicyWriter({ root, dryRun: false, browsers: ['firefox'] });
    await writer(NO_RESTRICTIONS, ROUTE);
    const before = read(FIREFOX);
    await writer(LESSON, ROUTE);
    write(FIREFOX, before); // as if the rename never happened
    expect((await writer(NO_RESTRICTIONS, ROUTE)).actions[0]?.op).toBe('unchanged');
    expect((await writer(LESSON, ROUTE)).actions[0]?.op).toBe('write');
  });

  it('reports a file it cannot write and still updates the other browsers', async () => {
    write('etc/opt/chrome', 'a file where a directory should be');
    const report = await linuxPolicyWriter({ root, dryRun: false, browsers: ['chrome', 'chromium'] })(LESSON, ROUTE);
    expect(report.errors.map((e) => e.path)).toEqual([
      at('etc/opt/chrome/policies/managed/lesmodus-route.json'),
      at('etc/opt/chrome/policies/managed/lesmodus-lesson.json'),
    ]);
    expect(existsSync(at(`${CHROMIUM_DIR}/lesmodus-lesson.json`))).toBe(true);
  });

  it('in dry-run reports what it would write and touches nothing', async () => {
    write(`${CHROMIUM_DIR}/school.json`, '{}');
    const report = await linuxPolicyWriter({ root, dryRun: true, browsers: ['chromium', 'firefox'] })(LESSON, ROUTE);
    expect(report.actions.map((a) => a.op)).toEqual(['write', 'write', 'write']);
    expect(JSON.parse(report.actions[1]!.content!)).toHaveProperty('URLBlocklist', SOCIAL_FILTERS);
    expect(tree()).toEqual(['etc/chromium/policies/managed/school.json']);
  });
});
