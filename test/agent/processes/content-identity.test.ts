import { describe, expect, it } from 'vitest';
import { runFiles } from '../../../src/agent/processes/content-identity.ts';

const info = (facts: { exePath?: string; cmdline?: string[] }) => ({ pid: 4242, ppid: 1, startTime: 1, name: 'x', ...facts });

describe('the files a process runs, as the content check opens them', () => {
  it('on Linux: the executable through /proc, so a file in the student\'s own mount namespace or deleted since is the one that runs', () => {
    expect(runFiles('linux', info({ exePath: '/home/s/notes', cmdline: ['/home/s/notes'] }))).toEqual(['/proc/4242/exe']);
  });

  it('on Linux: the program the dynamic loader runs, and the script an interpreter runs, each in the process\'s own root or folder', () => {
    expect(runFiles('linux', info({ exePath: '/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2', cmdline: ['/lib64/ld-linux-x86-64.so.2', '/home/s/werk', '600'] })))
      .toEqual(['/proc/4242/exe', '/proc/4242/root/home/s/werk']);
    expect(runFiles('linux', info({ exePath: '/usr/bin/python3.11', cmdline: ['python3', 'aantekeningen.py'] })))
      .toEqual(['/proc/4242/exe', '/proc/4242/cwd/aantekeningen.py']);
    // A module has no file of its own to compare.
    expect(runFiles('linux', info({ exePath: '/usr/bin/python3.11', cmdline: ['python3', '-m', 'kazam'] }))).toEqual(['/proc/4242/exe']);
  });

  it('on Windows and macOS: the executable by its path, and nothing when the OS did not say', () => {
    expect(runFiles('win32', info({ exePath: 'C:\\Users\\sanne\\Downloads\\notes.exe' }))).toEqual(['C:\\Users\\sanne\\Downloads\\notes.exe']);
    expect(runFiles('darwin', info({ exePath: '/Users/sanne/notes' }))).toEqual(['/Users/sanne/notes']);
    expect(runFiles('win32', info({}))).toEqual([]);
  });
});
