import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openDeviceStore } from '../../src/agent/store/device-store.ts';
import type { SyncMode } from '../../src/agent/store/open-database.ts';
import { fmt } from './measure.ts';

/** Appends per run: each is its own commit, as the agent writes them. */
const APPENDS = 2_000;
/** Runs per mode; the median is reported, since one fsync stall skews a single run. */
const RUNS = 3;
const tamper = (i: number) => ({ type: 'tamper' as const, policyVersion: '2025.1', payload: { kind: 'clock-jump', detail: `event ${i}` } });

/**
 * What synchronous=FULL (an event the agent wrote survives power loss) costs
 * against NORMAL, through the real store, and what the open-time quick_check
 * costs on a large store. Runs in the OS temp folder: on tmpfs fsync is free
 * and FULL would look costless (set TMPDIR to the agent's disk to be sure).
 */
export function benchDeviceStore(): void {
  const dir = mkdtempSync(join(tmpdir(), 'lesmodus-bench-store-'));
  try {
    const appendRate = (mode: SyncMode, run: number) => {
      const store = openDeviceStore({ path: join(dir, `${mode}-${run}.db`) }, { synchronous: mode, checkOnOpen: true });
      const started = performance.now();
      for (let i = 0; i < APPENDS; i++) store.appendEvent(tamper(i));
      const seconds = (performance.now() - started) / 1000;
      store.close();
      return APPENDS / seconds;
    };
    const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const normal = median(Array.from({ length: RUNS }, (_, run) => appendRate('NORMAL', run)));
    const full = median(Array.from({ length: RUNS }, (_, run) => appendRate('FULL', run)));
    console.log(`device store: event appends, one commit each (${tmpdir()})`);
    console.log(`  synchronous=FULL:   ${fmt(full)} appends/s (${fmt(1000 / full, 3)} ms each), what the agent uses`);
    console.log(`  baseline NORMAL:    ${fmt(normal)} appends/s; FULL costs ${fmt(normal / full, 1)}× per append`);

    const big = join(dir, 'big.db');
    const store = openDeviceStore({ path: big }, { synchronous: 'NORMAL', checkOnOpen: false });
    for (let i = 0; i < 100_000; i++) store.appendEvent(tamper(i));
    store.close();
    const openTime = (checkOnOpen: boolean) => {
      const started = performance.now();
      openDeviceStore({ path: big }, { synchronous: 'FULL', checkOnOpen }).close();
      return performance.now() - started;
    };
    const plain = openTime(false);
    const checked = openTime(true);
    console.log(`  open a 100,000-event store (${fmt(statSync(big).size / 1e6, 1)} MB): ${fmt(checked, 1)} ms with quick_check, ${fmt(plain, 1)} ms without`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
