// The real /proc reader: what a kept descriptor does when its process ends.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nodeProcFiles } from '../../../src/agent/processes/proc-files.linux.ts';
import { waitFor } from './stand-ins.ts';

const openDescriptors = () => readdirSync('/proc/self/fd').length;

describe.skipIf(process.platform !== 'linux')('the /proc reader', () => {
  it('re-reads a process through a kept descriptor, which fails once that process has ended', async () => {
    const files = nodeProcFiles();
    const child = spawn('sleep', ['600'], { stdio: 'ignore' });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const path = `${child.pid}/stat`;
    await waitFor(() => files.read(path, 1024)?.includes('(sleep)') === true, 'sleep to run');
    const before = openDescriptors();
    expect(files.readKept!(path, 1024)).toMatch(/^\d+ \(sleep\) /);
    expect(files.readKept!(path, 1024)).toMatch(/^\d+ \(sleep\) /);
    expect(openDescriptors()).toBe(before + 1);
    child.kill('SIGKILL');
    await exited;
    expect(files.readKept!(path, 1024)).toBeUndefined();
    // the failed descriptor was given back
    expect(openDescriptors()).toBe(before);
  });

  it('gives every kept descriptor back on releaseAll', async () => {
    const files = nodeProcFiles();
    const before = openDescriptors();
    expect(files.readKept!('self/stat', 1024)).toBeDefined();
    expect(files.readKept!('1/stat', 1024) ?? '').toBeTypeOf('string');
    files.releaseAll!();
    expect(openDescriptors()).toBe(before);
  });
});
