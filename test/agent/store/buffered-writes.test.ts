import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BufferedWrites, MAX_HELD_WRITES } from '../../../src/agent/store/buffered-writes.ts';
import { openDeviceStore, type DeviceStore } from '../../../src/agent/store/index.ts';

/**
 * A full disk, for real: the store on a small tmpfs, filled to the last byte
 * by another file. Needs root (mount); skipped otherwise.
 */
const isRoot = process.getuid?.() === 0;
const tamper = (n: number) => ({ type: 'tamper' as const, policyVersion: 'test-1', payload: { kind: 'clock-jump', detail: `event ${n}` } });

describe.skipIf(!isRoot || process.platform !== 'linux')('writes while the disk is full', () => {
  let mount: string | undefined;
  let store: DeviceStore | undefined;
  afterEach(() => {
    store?.close();
    if (mount) execFileSync('umount', [mount]);
    if (mount) rmSync(mount, { recursive: true, force: true });
    mount = undefined;
  });

  function fullDisk(): { store: DeviceStore; filler: string } {
    mount = mkdtempSync(join(tmpdir(), 'lesmodus-full-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', mount]);
    mkdirSync(join(mount, 'data'));
    store = openDeviceStore({ path: join(mount, 'data', 'device.db') });
    for (let i = 0; i < 5; i++) store.appendEvent(tamper(i));
    const filler = join(mount, 'filler');
    // Fill every free byte: writing past the end fails with ENOSPC, which ends the fill.
    try {
      writeFileSync(filler, Buffer.alloc(32 * 1024 * 1024));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
    }
    return { store, filler };
  }

  it('keeps what it cannot write in memory, in order, writes it when there is room again, and says so', () => {
    const { store: full, filler } = fullDisk();
    const holds: string[] = [];
    const writes = new BufferedWrites(full, { now: () => Date.parse('2026-12-02T09:00:00Z'), policyVersion: 'test-1', onHold: (m) => holds.push(m) });
    for (let i = 5; i < 400; i++) writes.appendEvent(tamper(i));
    expect(writes.held).toBeGreaterThan(0);
    expect(holds).toEqual(['the disk is full: events are kept in memory until there is room again']);
    expect(writes.flush()).toBe(0);
    rmSync(filler);
    writes.flush();
    expect(writes.held).toBe(0);
    const details = full.outboxBatch(500).map((e) => (e.payload as { detail: string }).detail);
    expect(details.slice(0, 400)).toEqual(Array.from({ length: 400 }, (_, i) => `event ${i}`));
    expect(details[400]).toMatch(/^the disk was full from 2026-12-02T09:00:00\.000Z: \d+ event\(s\) were kept in memory and written later$/);
  });

  it(`counts what does not fit in memory either (beyond ${MAX_HELD_WRITES} held) instead of guessing`, () => {
    const { store: full, filler } = fullDisk();
    const writes = new BufferedWrites(full, { now: () => 0, policyVersion: 'test-1', onHold: () => {} });
    for (let i = 0; i < MAX_HELD_WRITES + 50; i++) writes.appendEvent(tamper(i));
    expect(writes.held).toBe(MAX_HELD_WRITES);
    rmSync(filler);
    writes.flush();
    const all: string[] = [];
    for (let batch = full.outboxBatch(500); batch.length > 0; batch = full.outboxBatch(500, batch[batch.length - 1]!.seq)) {
      all.push(...batch.map((e) => (e.payload as { detail: string }).detail));
    }
    const note = all.find((d) => d.startsWith('the disk was full'));
    // Some early ones may have been written before the disk was full; the rest held, the overflow counted.
    expect(note).toMatch(/, \d+ did not fit in memory and are lost$/);
  });
});
