import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bundleIdFromXmlPlist, bundlePathOf } from '../../../src/agent/processes/bundle-id.darwin.ts';
import type { SiProcess } from '../../../src/agent/processes/si-process.ts';
import { createSystemInformationSource } from '../../../src/agent/processes/si-source.ts';
import { packageFamilyFromPath } from '../../../src/agent/processes/store-package.win32.ts';
import { parseStarted } from '../../../src/agent/processes/start-times.ts';
import type { ProcessInfo } from '../../../src/agent/processes/types.ts';
import { catalog } from './decisions.ts';

interface Recorded {
  readonly recorded: string;
  readonly list: SiProcess[];
}

const fixture = (name: string): Recorded => JSON.parse(readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8')) as Recorded;
const WIN32 = fixture('si-win32-processes.json');
const DARWIN = fixture('si-darwin-processes.json');

const byPid = (list: readonly ProcessInfo[], pid: number) => list.find((p) => p.pid === pid);

describe('systeminformation on Windows', () => {
  // OBS's exe says OriginalFilename "obs"; the renamed copy in Downloads too.
  const originalNames: Record<string, string> = {
    'C:\\Program Files\\obs-studio\\bin\\64bit\\obs64.exe': 'obs',
    'C:\\Users\\leerling\\Downloads\\rekenmachine.exe': 'obs',
    'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe': 'chrome.exe',
  };
  const lookups: string[] = [];
  const source = () =>
    createSystemInformationSource({
      os: 'win32',
      processes: async () => WIN32,
      readOriginalName: (path) => {
        lookups.push(path);
        return originalNames[path];
      },
    });

  it('maps image name, exe path, Store package and PE original name', async () => {
    const list = await source().list();
    expect(byPid(list, 6032)).toEqual({
      pid: 6032, ppid: 5120, startTime: parseStarted('2026-11-23 08:40:51'),
      name: 'obs64.exe', exePath: 'C:\\Program Files\\obs-studio\\bin\\64bit\\obs64.exe', originalName: 'obs',
    });
    expect(byPid(list, 7555)).toMatchObject({ name: 'Camera.exe', packageFamily: 'Microsoft.WindowsCamera_8wekyb3d8bbwe' });
    expect(byPid(list, 4)).toEqual({ pid: 4, ppid: 0, startTime: parseStarted('2026-11-23 07:58:02'), name: 'System' });
    // Windows gives no owner
    expect(list.every((p) => p.uid === undefined)).toBe(true);
  });

  it('gives the catalog what it needs to catch renamed and packaged apps', async () => {
    const list = await source().list();
    const verdict = (pid: number) => catalog.classifyProcess('win32', byPid(list, pid)!);
    expect(verdict(6032)).toMatchObject({ service: 'obs-studio' });
    expect(verdict(6200)).toMatchObject({ service: 'obs-studio', evidence: 'original-name' });
    expect(verdict(7010)).toMatchObject({ service: 'discord' });
    expect(verdict(7555)).toMatchObject({ service: 'windows-camera', evidence: 'store-package' });
    expect(verdict(8100)).toMatchObject({ neverBlock: true, neverBlockEntry: 'microsoft-teams' });
    expect(verdict(8240)).toMatchObject({ neverBlock: true });
    expect(verdict(8800)).toMatchObject({ neverBlock: true, neverBlockEntry: 'microsoft-office' });
    expect(verdict(1204)).toMatchObject({ service: null, neverBlock: false });
  });

  it('reads each exe once and hands out the same object for an unchanged process', async () => {
    lookups.length = 0;
    const s = source();
    const first = await s.list();
    const second = await s.list();
    expect(second.every((p, i) => p === first[i])).toBe(true);
    expect(lookups.filter((path) => path.endsWith('obs64.exe'))).toHaveLength(1);
  });

  it('treats a reused pid as a new process', async () => {
    let list = WIN32.list;
    const s = createSystemInformationSource({ os: 'win32', processes: async () => ({ list }), readOriginalName: () => undefined });
    const before = byPid(await s.list(), 7010)!;
    list = list.map((p) => (p.pid === 7010 ? { ...p, name: 'notepad.exe', path: 'C:\\Windows\\notepad.exe', started: '2026-11-23 08:43:31' } : p));
    const after = byPid(await s.list(), 7010)!;
    expect(after.startTime).not.toBe(before.startTime);
    expect(after.name).toBe('notepad.exe');
  });
});

describe('systeminformation on macOS', () => {
  const bundles: Record<string, string> = {
    '/Applications/OBS.app': 'com.obsproject.obs-studio',
    '/Applications/Discord.app': 'com.hnc.Discord',
    '/Applications/Discord.app/Contents/Frameworks/Discord Helper (Renderer).app': 'com.hnc.Discord.helper.Renderer',
    '/Applications/Photo Booth.app': 'com.apple.PhotoBooth',
    // a renamed copy of OBS: new name, OBS's Info.plist
    '/Applications/Tekstverwerker.app': 'com.obsproject.obs-studio',
    '/Applications/Microsoft Teams.app': 'com.microsoft.teams2',
  };
  const users: Record<string, number> = { leerling: 501, klasgenoot: 502, root: 0 };
  const source = (current = () => DARWIN.list) =>
    createSystemInformationSource({
      os: 'darwin',
      processes: async () => ({ list: current() }),
      readBundleId: (bundle) => bundles[bundle],
      uidOfUser: (user) => users[user],
    });

  it('maps name, owner, exe path and bundle id; leaves out zombies', async () => {
    const list = await source().list();
    expect(byPid(list, 812)).toEqual({
      pid: 812, ppid: 1, uid: 501, startTime: parseStarted(DARWIN.list[0]!.started),
      name: 'OBS', exePath: '/Applications/OBS.app/Contents/MacOS/OBS', bundleId: 'com.obsproject.obs-studio',
    });
    expect(byPid(list, 777)).toMatchObject({ name: 'Photo Booth', exePath: '/Applications/Photo Booth.app/Contents/MacOS/Photo Booth' });
    expect(byPid(list, 331)).toMatchObject({ name: 'WindowServer' });
    expect(byPid(list, 331)!.uid).toBeUndefined(); // _windowserver: not a user this agent knows
    expect(byPid(list, 990)).toBeUndefined();
  });

  it('gives the catalog what it needs, a renamed app included', async () => {
    const list = await source().list();
    const verdict = (pid: number) => catalog.classifyProcess('darwin', byPid(list, pid)!);
    expect(verdict(812)).toMatchObject({ service: 'obs-studio', evidence: 'bundle-id' });
    expect(verdict(900)).toMatchObject({ service: 'discord' });
    expect(verdict(901)).toMatchObject({ service: 'discord', evidence: 'bundle-id' });
    expect(verdict(777)).toMatchObject({ service: 'photo-booth' });
    expect(verdict(640)).toMatchObject({ service: 'obs-studio', evidence: 'bundle-id' });
    expect(verdict(655)).toMatchObject({ neverBlock: true, neverBlockEntry: 'microsoft-teams' });
    expect(verdict(1)).toMatchObject({ service: null });
  });

  it('keeps one start time for a process whose reported start wobbles by a second', async () => {
    let list = DARWIN.list;
    const s = source(() => list);
    const first = byPid(await s.list(), 812)!;
    list = list.map((p) => (p.pid === 812 ? { ...p, started: localTimeText(first.startTime + 1_000) } : p));
    expect(byPid(await s.list(), 812)).toBe(first);
    list = list.map((p) => (p.pid === 812 ? { ...p, started: localTimeText(first.startTime + 60_000) } : p));
    expect(byPid(await s.list(), 812)!.startTime).toBe(first.startTime + 60_000);
  });
});

describe('facts from paths', () => {
  it.each([
    ['C:\\Program Files\\WindowsApps\\Microsoft.WindowsCamera_2025.2505.2.0_x64__8wekyb3d8bbwe\\WindowsCamera.exe', 'Microsoft.WindowsCamera_8wekyb3d8bbwe'],
    ['C:\\Program Files\\WindowsApps\\5319275A.WhatsAppDesktop_2.2540.5.0_x64__cv1g1gvanyjgm\\WhatsApp.Root.exe', '5319275A.WhatsAppDesktop_cv1g1gvanyjgm'],
    ['c:\\program files\\windowsapps\\MSTeams_25122.1415.3698.6812_x64__8wekyb3d8bbwe\\ms-teams.exe', 'MSTeams_8wekyb3d8bbwe'],
    ['C:\\Program Files\\WindowsApps\\Microsoft.Language.NL_1.0.0.0_neutral_split.language-nl_8wekyb3d8bbwe\\x.exe', 'Microsoft.Language.NL_8wekyb3d8bbwe'],
  ])('reads the Store package family from %s', (path, family) => {
    expect(packageFamilyFromPath(path)).toBe(family);
  });

  it.each([
    'C:\\Program Files\\obs-studio\\bin\\64bit\\obs64.exe',
    'C:\\Program Files\\WindowsApps\\not-a-package\\x.exe',
    'C:\\Program Files\\WindowsApps\\Name_1.0_x64__UPPERCASE1234\\x.exe',
    'C:\\Users\\leerling\\WindowsApps\\Deleted\\x.exe',
  ])('finds no package in %s', (path) => {
    expect(packageFamilyFromPath(path)).toBeUndefined();
  });

  it.each([
    ['/Applications/OBS.app/Contents/MacOS/OBS', '/Applications/OBS.app'],
    ['/Applications/Discord.app/Contents/Frameworks/Discord Helper (GPU).app/Contents/MacOS/Discord Helper (GPU)', '/Applications/Discord.app/Contents/Frameworks/Discord Helper (GPU).app'],
    ['/Users/leerling/Downloads/Kopie.app/Contents/MacOS/OBS', '/Users/leerling/Downloads/Kopie.app'],
    ['/System/Library/CoreServices/Finder.app/Contents/XPCServices/Sync.xpc/Contents/MacOS/Sync', '/System/Library/CoreServices/Finder.app/Contents/XPCServices/Sync.xpc'],
  ])('finds the bundle of %s', (exe, bundle) => {
    expect(bundlePathOf(exe)).toBe(bundle);
  });

  it.each(['/usr/sbin/cfprefsd', '/Applications/OBS.app/Contents/Resources/helper', 'OBS'])('finds no bundle for %s', (exe) => {
    expect(bundlePathOf(exe)).toBeUndefined();
  });

  it('reads CFBundleIdentifier from an XML Info.plist', () => {
    const plist = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
\t<key>CFBundleExecutable</key>
\t<string>OBS</string>
\t<key>CFBundleIdentifier</key>
\t<string>com.obsproject.obs-studio</string>
</dict>
</plist>`;
    expect(bundleIdFromXmlPlist(plist)).toBe('com.obsproject.obs-studio');
    expect(bundleIdFromXmlPlist('<plist><dict></dict></plist>')).toBeUndefined();
  });
});

/** systeminformation's "YYYY-MM-DD HH:MM:SS" in local time. */
function localTimeText(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
