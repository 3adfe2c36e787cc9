import { describe, expect, it } from 'vitest';
import type { ProcFiles } from '../../../src/agent/processes/proc-files.linux.ts';
import {
  createProcSource,
  SWEEP_PERIOD_MS,
  UNLISTED_SWEEP_PERIOD_MS,
  YOUNG_PROCESS_MS,
} from '../../../src/agent/processes/proc-source.linux.ts';

interface FakeProcess {
  comm: string;
  startTime: number;
  ppid?: number;
  state?: string;
  kernelThread?: boolean;
  cmdline?: string[];
  uid?: number;
  exe?: string;
  cgroup?: string;
  mountNamespace?: string;
  /** For a thread: the process it belongs to (threads have /proc folders too, but are not listed in /proc). */
  tgid?: number;
}

/** An in-memory /proc that counts what is read. */
function fakeProc() {
  // Like the kernel's pid allocator, the last id handed out moves to every new task.
  let lastPid = 0;
  const processes = new (class extends Map<number, FakeProcess> {
    override set(pid: number, p: FakeProcess): this {
      if (this.get(pid)?.startTime !== p.startTime) lastPid = pid;
      return super.set(pid, p);
    }
  })();
  const reads: string[] = [];
  const files: ProcFiles = {
    entries: () => ['self', 'meminfo', ...[...processes].filter(([pid, p]) => (p.tgid ?? pid) === pid).map(([pid]) => String(pid)), 'sys'],
    read(path) {
      reads.push(path);
      // Tasks in existence and the last pid given out, as the kernel writes them.
      if (path === 'loadavg') return `0.01 0.02 0.03 1/${processes.size} ${lastPid}\n`;
      const [pidText, file] = path.split('/') as [string, string];
      const p = processes.get(Number(pidText));
      if (!p) return undefined;
      switch (file) {
        case 'stat': {
          const flags = p.kernelThread ? 0x0020_0040 : 0x0040_0100;
          return `${pidText} (${p.comm}) ${p.state ?? 'S'} ${p.ppid ?? 1} 1 1 0 -1 ${flags} 0 0 0 0 0 0 0 0 20 0 1 0 ${p.startTime} 1000 100 0\n`;
        }
        case 'cmdline':
          return p.cmdline ? `${p.cmdline.join('\0')}\0` : '';
        case 'status':
          return `Name:\t${p.comm}\nTgid:\t${p.tgid ?? pidText}\nPid:\t${pidText}\nUid:\t${p.uid ?? 1000}\t${p.uid ?? 1000}\t${p.uid ?? 1000}\t${p.uid ?? 1000}\n`;
        case 'cgroup':
          return p.cgroup ?? '0::/user.slice/user-1000.slice/session-2.scope\n';
        default:
          return undefined;
      }
    },
    readlink(path) {
      reads.push(path);
      const p = processes.get(Number(path.split('/')[0]));
      return path.endsWith('/ns/mnt') ? p?.mountNamespace : p?.exe;
    },
  };
  return { processes, reads, files };
}

function setup(options: { watches?: (uid: number | undefined) => boolean } = {}) {
  const proc = fakeProc();
  let now = 1_000_000;
  const source = createProcSource({ files: proc.files, monotonic: () => now, ...options });
  return {
    ...proc,
    source,
    advance(ms: number) {
      now += ms;
    },
    clearReads() {
      proc.reads.length = 0;
    },
  };
}

describe('the Linux process source', () => {
  it('lists every process with its facts', async () => {
    const t = setup();
    t.processes.set(4100, {
      comm: 'flatpak-bwrap',
      startTime: 5000,
      ppid: 4000,
      uid: 1001,
      cmdline: ['/usr/bin/obs'],
      exe: '/usr/bin/obs',
      mountNamespace: 'mnt:[4026532174]',
      cgroup: '0::/user.slice/user-1001.slice/user@1001.service/app.slice/app-flatpak-com.obsproject.Studio-12.scope\n',
    });
    expect(await t.source.list()).toEqual([
      { pid: 4100, ppid: 4000, uid: 1001, startTime: 5000, name: 'flatpak-bwrap', cmdline: ['/usr/bin/obs'], exePath: '/usr/bin/obs', flatpakAppId: 'com.obsproject.Studio', mountNamespace: 'mnt:[4026532174]' },
    ]);
  });

  it('leaves out kernel threads and zombies', async () => {
    const t = setup();
    t.processes.set(2, { comm: 'kthreadd', startTime: 0, ppid: 0, kernelThread: true });
    t.processes.set(50, { comm: 'obs', startTime: 10, ppid: 2, kernelThread: true });
    t.processes.set(51, { comm: 'obs', startTime: 11, state: 'Z' });
    t.processes.set(52, { comm: 'cheese', startTime: 12, cmdline: ['cheese'] });
    expect((await t.source.list()).map((p) => p.pid)).toEqual([52]);
  });

  it('skips a process that exits while it is read, without a word', async () => {
    const t = setup();
    t.processes.set(60, { comm: 'obs', startTime: 10 });
    const read = t.files.read;
    t.files.read = (path, limit) => (path === '60/stat' ? undefined : read(path, limit));
    expect(await t.source.list()).toEqual([]);
  });

  it('reads only the folder in a steady-state list', async () => {
    const t = setup();
    for (let pid = 100; pid < 140; pid++) t.processes.set(pid, { comm: `app${pid}`, startTime: pid, cmdline: [`app${pid}`] });
    const first = await t.source.list();
    expect(t.source.lastScan()).toEqual({ listed: 40, readInFull: 40, rechecked: 0 });
    t.clearReads();
    t.advance(1);
    const second = await t.source.list();
    expect(t.reads).toEqual(['loadavg']);
    expect(t.source.lastScan()).toEqual({ listed: 40, readInFull: 0, rechecked: 0 });
    // the same objects, so the guard's per-object memo holds
    expect(second).toEqual(first);
    expect(second.every((p, i) => p === first[i])).toBe(true);
  });

  it('reads the /proc folder only when many tasks were created, and probes a few new ids instead', async () => {
    const t = setup();
    for (let pid = 100; pid < 110; pid++) t.processes.set(pid, { comm: `app${pid}`, startTime: pid });
    let folderReads = 0;
    const entries = t.files.entries;
    t.files.entries = () => {
      folderReads++;
      return entries();
    };
    await t.source.list();
    t.advance(250);
    await t.source.list();
    expect(folderReads).toBe(1);
    // a new process and a new thread of process 100: the process is listed, the thread is not
    t.processes.set(110, { comm: 'obs', startTime: 110 });
    t.processes.set(111, { comm: 'worker', startTime: 111, tgid: 100 });
    t.advance(250);
    expect((await t.source.list()).map((p) => p.pid)).toEqual([...Array.from({ length: 10 }, (_, i) => 100 + i), 110]);
    expect(folderReads).toBe(1);
    // a burst of tasks: the folder is cheaper
    for (let pid = 112; pid < 200; pid++) t.processes.set(pid, { comm: `burst${pid}`, startTime: pid });
    t.advance(250);
    expect(await t.source.list()).toHaveLength(11 + 88);
    expect(folderReads).toBe(2);
    // ids wrapped around: the folder again
    t.processes.set(5, { comm: 'cheese', startTime: 300 });
    t.advance(250);
    expect((await t.source.list()).map((p) => p.name)).toContain('cheese');
    expect(folderReads).toBe(3);
  });

  it('reads the folder every time when /proc/loadavg cannot be read', async () => {
    const t = setup();
    t.processes.set(100, { comm: 'bash', startTime: 100 });
    const read = t.files.read;
    t.files.read = (path, limit) => (path === 'loadavg' ? undefined : read(path, limit));
    await t.source.list();
    t.processes.set(101, { comm: 'obs', startTime: 200 });
    t.advance(250);
    expect((await t.source.list()).map((p) => p.name)).toEqual(['bash', 'obs']);
  });

  it('reads a new process in full and no other', async () => {
    const t = setup();
    t.processes.set(100, { comm: 'bash', startTime: 100 });
    await t.source.list();
    t.clearReads();
    t.advance(250);
    t.processes.set(101, { comm: 'obs', startTime: 200, cmdline: ['./obs'], exe: '/home/l/obs' });
    const listed = await t.source.list();
    expect(listed.map((p) => p.name)).toEqual(['bash', 'obs']);
    expect(t.reads.every((path) => path.startsWith('101/') || path === 'loadavg')).toBe(true);
  });

  it('sees a young process exec into another program (same pid, same start time)', async () => {
    const t = setup();
    await t.source.list();
    t.advance(250);
    t.processes.set(300, { comm: 'bash', startTime: 900, cmdline: ['bash', '-c', 'exec ./obs'] });
    expect((await t.source.list()).map((p) => p.name)).toEqual(['bash']);
    t.advance(250);
    t.processes.set(300, { comm: 'obs', startTime: 900, cmdline: ['./obs'], exe: '/tmp/obs' });
    expect(await t.source.list()).toMatchObject([{ pid: 300, name: 'obs', exePath: '/tmp/obs' }]);
  });

  it('sees an exec that keeps the name by the changed command line', async () => {
    const t = setup();
    await t.source.list();
    t.advance(250);
    t.processes.set(301, { comm: 'python3', startTime: 900, cmdline: ['python3', 'launcher.py'] });
    await t.source.list();
    t.advance(250);
    t.processes.set(301, { comm: 'python3', startTime: 900, cmdline: ['python3', '/usr/bin/kazam'] });
    expect(await t.source.list()).toMatchObject([{ pid: 301, cmdline: ['python3', '/usr/bin/kazam'] }]);
  });

  it('catches a late exec of an old process within a sweep period', async () => {
    const t = setup();
    t.processes.set(400, { comm: 'sleeper', startTime: 1, cmdline: ['sleeper'] });
    await t.source.list();
    t.processes.set(400, { comm: 'Discord', startTime: 1, cmdline: ['/opt/Discord/Discord'] });
    let name = '';
    for (let elapsed = 0; elapsed <= SWEEP_PERIOD_MS + 250 && name !== 'Discord'; elapsed += 250) {
      t.advance(250);
      name = (await t.source.list())[0]!.name;
    }
    expect(name).toBe('Discord');
  });

  it('catches an old interpreter that execs into a recorder script within a sweep period', async () => {
    const t = setup();
    t.processes.set(410, { comm: 'python3', startTime: 1, cmdline: ['python3', '/opt/launcher.py'] });
    await t.source.list();
    t.processes.set(410, { comm: 'python3', startTime: 1, cmdline: ['python3', '/usr/bin/kazam'] });
    let cmdline: readonly string[] | undefined;
    for (let elapsed = 0; elapsed <= SWEEP_PERIOD_MS + 250 && cmdline?.[1] !== '/usr/bin/kazam'; elapsed += 250) {
      t.advance(250);
      cmdline = (await t.source.list())[0]!.cmdline;
    }
    expect(cmdline).toEqual(['python3', '/usr/bin/kazam']);
  });

  it('sweeps old processes with one stat read each', async () => {
    const t = setup();
    for (let pid = 100; pid < 180; pid++) t.processes.set(pid, { comm: `app${pid}`, startTime: pid, cmdline: [`app${pid}`] });
    await t.source.list();
    t.clearReads();
    for (let elapsed = 0; elapsed < SWEEP_PERIOD_MS; elapsed += 250) {
      t.advance(250);
      await t.source.list();
    }
    const stats = t.reads.filter((path) => path !== 'loadavg');
    expect(stats.every((path) => path.endsWith('/stat'))).toBe(true);
    expect(stats).toHaveLength(80);
    expect(new Set(stats).size).toBe(80);
  });

  it("sweeps only the watched user's processes for a late exec, and the others rarely", async () => {
    const t = setup({ watches: (uid) => uid === 1001 });
    for (let pid = 100; pid < 140; pid++) t.processes.set(pid, { comm: `app${pid}`, startTime: pid, uid: pid < 120 ? 1001 : 0 });
    await t.source.list();
    t.clearReads();
    for (let elapsed = 0; elapsed < SWEEP_PERIOD_MS; elapsed += 250) {
      t.advance(250);
      await t.source.list();
    }
    const swept = new Set(t.reads.filter((path) => path.endsWith('/stat')).map((path) => Number(path.split('/')[0])));
    expect([...swept].every((pid) => pid < 120)).toBe(true);
    expect(swept.size).toBe(20);
    // The student's late exec is seen within a sweep period.
    t.processes.set(105, { comm: 'Discord', startTime: 105, uid: 1001 });
    let names: string[] = [];
    for (let elapsed = 0; elapsed <= SWEEP_PERIOD_MS && !names.includes('Discord'); elapsed += 250) {
      t.advance(250);
      names = (await t.source.list()).map((p) => p.name);
    }
    expect(names).toContain('Discord');
  });

  it("lists another user's process by name and owner only, and reads it in full once it runs as the student", async () => {
    const t = setup({ watches: (uid) => uid === 1001 });
    await t.source.list();
    t.processes.set(700, { comm: 'cron', startTime: 70, uid: 0, cmdline: ['/usr/sbin/cron', '-f'], exe: '/usr/sbin/cron' });
    t.advance(250);
    t.clearReads();
    expect(await t.source.list()).toEqual([{ pid: 700, ppid: 1, uid: 0, startTime: 70, name: 'cron' }]);
    expect(t.reads.filter((path) => path.startsWith('700/')).sort()).toEqual(['700/stat', '700/status']);
    // cron's child: setuid to the student, then exec of the job
    t.processes.set(700, { comm: 'Discord', startTime: 70, uid: 1001, cmdline: ['/home/l/Discord'], exe: '/home/l/Discord' });
    let seen: unknown;
    for (let elapsed = 0; elapsed <= SWEEP_PERIOD_MS && seen === undefined; elapsed += 250) {
      t.advance(250);
      seen = (await t.source.list()).find((p) => p.exePath === '/home/l/Discord');
    }
    expect(seen).toMatchObject({ pid: 700, uid: 1001, name: 'Discord' });
  });

  it('sees a new process on a pid it knows when the ids come round to it again', async () => {
    const t = setup();
    t.processes.set(600, { comm: 'bash', startTime: 10, cmdline: ['bash'] });
    t.processes.set(650, { comm: 'sleep', startTime: 11 });
    await t.source.list();
    // 600 ended long ago, unnoticed; the ids wrapped and reached it again
    t.processes.set(599, { comm: 'x', startTime: 20 });
    t.advance(1);
    await t.source.list();
    t.processes.set(600, { comm: 'obs', startTime: 30, cmdline: ['obs'] });
    t.advance(1);
    expect((await t.source.list()).find((p) => p.pid === 600)).toMatchObject({ name: 'obs', startTime: 30 });
  });

  it('stops re-reading a process once it is no longer young', async () => {
    const t = setup();
    await t.source.list();
    t.processes.set(500, { comm: 'obs', startTime: 7, cmdline: ['obs'] });
    t.advance(1);
    await t.source.list();
    t.advance(YOUNG_PROCESS_MS + 1);
    await t.source.list(); // due: its first sweep
    t.advance(250);
    t.clearReads();
    await t.source.list();
    expect(t.reads).toEqual(['loadavg']);
  });

  it('tells a new process on a reused pid by its start time', async () => {
    const t = setup();
    t.processes.set(600, { comm: 'obs', startTime: 10, cmdline: ['obs'] });
    const [before] = await t.source.list();
    t.processes.set(600, { comm: 'obs', startTime: 99, cmdline: ['obs'] });
    expect(t.source.isSameProcess(600, 10)).toBe(false);
    expect(t.source.isSameProcess(600, 99)).toBe(true);
    t.advance(SWEEP_PERIOD_MS);
    const [after] = await t.source.list();
    expect(before!.startTime).toBe(10);
    expect(after!.startTime).toBe(99);
  });

  it('does not call a zombie or a vanished pid the same process', async () => {
    const t = setup();
    t.processes.set(700, { comm: 'obs', startTime: 10, state: 'Z' });
    expect(t.source.isSameProcess(700, 10)).toBe(false);
    expect(t.source.isSameProcess(701, 10)).toBe(false);
  });

  it('re-reads kernel threads rarely', async () => {
    const t = setup();
    for (let pid = 2; pid < 50; pid++) t.processes.set(pid, { comm: `kworker/${pid}`, startTime: pid, kernelThread: true });
    await t.source.list();
    let rechecked = 0;
    for (let elapsed = 0; elapsed < UNLISTED_SWEEP_PERIOD_MS; elapsed += 250) {
      t.advance(250);
      await t.source.list();
      rechecked += t.source.lastScan().rechecked;
    }
    // each one about once in the period, not every sweep period
    expect(rechecked).toBeLessThanOrEqual(48);
  });

  it('forgets pids that are gone by their next recheck', async () => {
    const t = setup();
    t.processes.set(800, { comm: 'obs', startTime: 10 });
    await t.source.list();
    t.processes.delete(800);
    t.advance(SWEEP_PERIOD_MS);
    expect(await t.source.list()).toEqual([]);
    // the same pid again: only after the ids wrapped around
    t.processes.set(900, { comm: 'bash', startTime: 15 });
    t.advance(1);
    await t.source.list();
    t.processes.set(800, { comm: 'cheese', startTime: 20 });
    t.advance(1);
    expect((await t.source.list()).toSorted((a, b) => a.pid - b.pid)).toMatchObject([{ pid: 800, name: 'cheese', startTime: 20 }, { pid: 900 }]);
  });

  it('drops an argument cut off by the read limit', async () => {
    const t = setup();
    const long = 'x'.repeat(5000);
    t.processes.set(900, { comm: 'chromium', startTime: 1, cmdline: ['/usr/lib/chromium/chromium', '--type=renderer', long] });
    const read = t.files.read;
    t.files.read = (path, limit) => read(path, limit)?.slice(0, limit);
    expect(await t.source.list()).toMatchObject([{ cmdline: ['/usr/lib/chromium/chromium', '--type=renderer'] }]);
  });
});
