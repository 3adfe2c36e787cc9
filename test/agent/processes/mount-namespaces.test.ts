import { mkdtempSync, statSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { initialMountNamespace, snapMountNamespaces } from '../../../src/agent/processes/mount-namespaces.linux.ts';
import type { ProcFiles } from '../../../src/agent/processes/proc-files.linux.ts';

describe('mount namespaces', () => {
  it("takes init's namespace, or the agent's own where it may not look at init", () => {
    const files = (links: Record<string, string>): ProcFiles => ({ entries: () => [], read: () => undefined, readlink: (path) => links[path] });
    expect(initialMountNamespace(files({ '1/ns/mnt': 'mnt:[1]', 'self/ns/mnt': 'mnt:[2]' }))).toBe('mnt:[1]');
    expect(initialMountNamespace(files({ 'self/ns/mnt': 'mnt:[2]' }))).toBe('mnt:[2]');
  });

  it("knows snapd's namespaces by the inode of their files, read again only after a while", () => {
    const dir = mkdtempSync(join(tmpdir(), 'lesmodus-snapd-ns-'));
    try {
      writeFileSync(join(dir, 'firefox.mnt'), '');
      writeFileSync(join(dir, 'snap.firefox.fstab'), '');
      let now = 0;
      const known = snapMountNamespaces(dir, () => now);
      expect([...known()]).toEqual([`mnt:[${statSync(join(dir, 'firefox.mnt')).ino}]`]);
      writeFileSync(join(dir, 'chromium.mnt'), '');
      expect(known().size).toBe(1);
      now += 5_000;
      expect(known().size).toBe(2);
      expect(snapMountNamespaces(join(dir, 'missing'))().size).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
