import { describe, expect, it } from 'vitest';
import {
  isExited,
  isKernelThread,
  parseCgroupSandbox,
  parseCmdline,
  parseStat,
  parseStatusUid,
} from '../../../src/agent/processes/proc-parse.linux.ts';

// Stat lines as Linux 6.x writes them (recorded on this machine, comm edited where the case needs it).
const CAT = '30168 (cat) R 30067 30067 28133 0 -1 4194304 98 0 0 0 0 0 0 0 20 0 1 0 334412 3133440 413 18446744073709551615 94489378193408 94489378213289 140729910380496 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 94489378229296 94489378230912 94489452093440 140729910381274 140729910381294 140729910381294 140729910382571 0';
const KWORKER = '7 (kworker/0:0H-events_highpri) I 2 0 0 0 -1 69238880 0 0 0 0 0 0 0 0 0 -20 1 0 3 0 0 18446744073709551615 0 0 0 0 0 0 0 2147483647 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0';
const ZOMBIE = '4242 (obs) Z 4200 4242 4200 0 -1 4227148 64 0 0 0 0 0 0 0 20 0 1 0 512000 0 0 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0';

describe('parseStat', () => {
  it('reads pid, comm, state, ppid and start time', () => {
    expect(parseStat(CAT)).toEqual({ pid: 30168, comm: 'cat', state: 'R', ppid: 30067, flags: 4194304, startTime: 334412 });
  });

  it('takes a comm with spaces and parentheses up to the last ")"', () => {
    const line = CAT.replace('(cat)', '(a) b)');
    expect(parseStat(line)).toMatchObject({ pid: 30168, comm: 'a) b', state: 'R', ppid: 30067, startTime: 334412 });
    expect(parseStat(CAT.replace('(cat)', '((x) (y) z)'))).toMatchObject({ comm: '(x) (y) z', startTime: 334412 });
    expect(parseStat(CAT.replace('(cat)', '(two  spaces )'))).toMatchObject({ comm: 'two  spaces ', ppid: 30067 });
  });

  it('keeps an empty comm', () => {
    expect(parseStat(CAT.replace('(cat)', '()'))).toMatchObject({ comm: '', startTime: 334412 });
  });

  it('refuses a line cut short (a process that exited while it was read)', () => {
    expect(parseStat('')).toBeUndefined();
    expect(parseStat('30168 (cat')).toBeUndefined();
    expect(parseStat(CAT.slice(0, CAT.indexOf(' 334412')))).toBeUndefined();
    expect(parseStat('x (cat) R 1 2 3')).toBeUndefined();
  });

  it('tells kernel threads and zombies apart from apps', () => {
    const kworker = parseStat(KWORKER)!;
    expect(kworker).toMatchObject({ comm: 'kworker/0:0H-events_highpri', ppid: 2 });
    expect(isKernelThread(kworker)).toBe(true);
    expect(isKernelThread(parseStat(CAT)!)).toBe(false);
    expect(isExited(parseStat(ZOMBIE)!)).toBe(true);
    expect(isExited(parseStat(CAT)!)).toBe(false);
  });
});

describe('parseStatusUid', () => {
  it('reads the real uid, not the effective one', () => {
    expect(parseStatusUid('Name:\tpasswd\nUmask:\t0022\nState:\tS (sleeping)\nUid:\t1000\t0\t0\t0\nGid:\t1000\t1000\t1000\t1000\n')).toBe(1000);
  });

  it('gives undefined for a status without a Uid line', () => {
    expect(parseStatusUid('Name:\tcat\n')).toBeUndefined();
  });
});

describe('parseCmdline', () => {
  it('splits on NUL and drops the terminator', () => {
    expect(parseCmdline('python3\0/usr/bin/kazam\0')).toEqual(['python3', '/usr/bin/kazam']);
  });

  it('keeps empty arguments in the middle', () => {
    expect(parseCmdline('app\0\0--flag\0')).toEqual(['app', '', '--flag']);
  });

  it('takes a rewritten argv (no NULs) as one argument', () => {
    expect(parseCmdline('sshd: leerling [priv]')).toEqual(['sshd: leerling [priv]']);
  });

  it('gives undefined for kernel threads and zombies (empty file)', () => {
    expect(parseCmdline('')).toBeUndefined();
    expect(parseCmdline('\0')).toBeUndefined();
  });
});

describe('parseCgroupSandbox', () => {
  it.each([
    ['0::/user.slice/user-1000.slice/user@1000.service/app.slice/app-flatpak-org.gnome.Cheese-2143.scope', 'org.gnome.Cheese'],
    ['0::/user.slice/user-1000.slice/user@1000.service/app.slice/app-flatpak-com.obsproject.Studio-instance1693215327.scope', 'com.obsproject.Studio'],
    ['0::/user.slice/user-1000.slice/user@1000.service/app.slice/app-flatpak-com.discordapp.Discord-internal820586.scope', 'com.discordapp.Discord'],
    // systemd escapes "-" in unit names
    ['0::/user.slice/user-1000.slice/user@1000.service/app.slice/app-flatpak-com.github.vkohaupt.vokoscreen\\x2dNG-77.scope', 'com.github.vkohaupt.vokoscreen-NG'],
  ])('finds the flatpak app id in %s', (cgroup, flatpakAppId) => {
    expect(parseCgroupSandbox(`${cgroup}\n`)).toEqual({ flatpakAppId });
  });

  it.each([
    ['0::/user.slice/user-1000.slice/user@1000.service/app.slice/snap.discord.discord-0f5b9c3e-4e55-4c4e-9d1c-1f7b2b9f1a11.scope', 'discord'],
    ['0::/user.slice/user-1000.slice/user@1000.service/app.slice/snap.obs-studio.obs-studio-6b1c7a1e-1d2f-4a52-9a3c-5f8f1a0c2b33.scope', 'obs-studio'],
    ['0::/system.slice/snap.audacity.hook.configure-1a2b3c4d-1a2b-3c4d-5e6f-1a2b3c4d5e6f.scope', 'audacity'],
    ['0::/system.slice/snap.telegram-desktop.daemon.service', 'telegram-desktop'],
    // parallel installs: <snap>_<instance key>
    ['0::/user.slice/snap.discord_work.discord-0f5b9c3e-4e55-4c4e-9d1c-1f7b2b9f1a11.scope', 'discord'],
    // snapd before 2.45 put the uuid first
    ['1:name=systemd:/user.slice/user-1000.slice/user@1000.service/snap.8b5f8e2e-0c3c-4b8b-9f36-3d1d2b6a9a77.discord.discord.scope', 'discord'],
  ])('finds the snap name in %s', (cgroup, snapName) => {
    expect(parseCgroupSandbox(cgroup)).toEqual({ snapName });
  });

  it('reads a cgroup v1 file line by line', () => {
    const v1 = ['12:pids:/user.slice/user-1000.slice', '1:name=systemd:/user.slice/user-1000.slice/user@1000.service/app.slice/app-flatpak-org.gnome.Snapshot-88.scope', '0::/'].join('\n');
    expect(parseCgroupSandbox(v1)).toEqual({ flatpakAppId: 'org.gnome.Snapshot' });
  });

  it('finds nothing for ordinary processes and look-alikes', () => {
    expect(parseCgroupSandbox('0::/user.slice/user-1000.slice/user@1000.service/app.slice/app-org.gnome.Terminal.slice/vte-spawn-12ed9380.scope\n')).toEqual({});
    expect(parseCgroupSandbox('0::/system.slice/snapd.service\n')).toEqual({});
    expect(parseCgroupSandbox('0::/init.scope\n')).toEqual({});
    expect(parseCgroupSandbox('')).toEqual({});
  });
});
