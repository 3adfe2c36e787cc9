/**
 * Measures what synchronous=FULL costs compared with NORMAL for the event log
 * on this machine: appends (each its own commit, as the agent does them)
 * per second through the real store, plus how long the open-time quick_check
 * takes on a store of a given size.
 *   node test/agent/store/measure-sync-cost.ts [appends per run] [folder]
 * The folder must be on the disk the agent would use (not tmpfs, where fsync
 * costs nothing); default: the OS temp folder.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDeviceStore } from '../../../src/agent/store/device-store.ts';
import type { SyncMode } from '../../../src/agent/store/open-database.ts';

const appends = Number(process.argv[2] ?? 2_000);
const dir = mkdtempSync(join(process.argv[3] ?? tmpdir(), 'lesmodus-sync-cost-'));
/** Runs per mode; the median is reported, since one fsync stall skews a single run. */
const RUNS = 3;

function appendRate(mode: SyncMode, run: number): number {
  const path = join(dir, `${mode}-${run}.db`);
  const store = openDeviceStore({ path }, { synchronous: mode, checkOnOpen: true });
  const started = performance.now();
  for (let i = 0; i < appends; i++) {
    store.appendEvent({ type: 'tamper', policyVersion: '2025.1', payload: { kind: 'clock-jump', detail: `event ${i}` } });
  }
  const seconds = (performance.now() - started) / 1000;
  store.close();
  return appends / seconds;
}

const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

try {
  const results: Record<SyncMode, number> = { FULL: 0, NORMAL: 0 };
  for (const mode of ['NORMAL', 'FULL'] as const) {
    results[mode] = median(Array.from({ length: RUNS }, (_, run) => appendRate(mode, run)));
    console.log(`synchronous=${mode.padEnd(6)} ${Math.round(results[mode]).toLocaleString('en')} appends/s (${(1000 / results[mode]).toFixed(3)} ms each)`);
  }
  console.log(`FULL costs ${(results.NORMAL / results.FULL).toFixed(1)}x NORMAL per append`);

  // quick_check on open reads the whole file: time it for a store of 100k events.
  const big = join(dir, 'big.db');
  const store = openDeviceStore({ path: big }, { synchronous: 'NORMAL', checkOnOpen: false });
  for (let i = 0; i < 100_000; i++) store.appendEvent({ type: 'tamper', policyVersion: '2025.1', payload: { kind: 'clock-jump', detail: `event ${i}` } });
  store.close();
  for (const checkOnOpen of [false, true]) {
    const started = performance.now();
    openDeviceStore({ path: big }, { synchronous: 'FULL', checkOnOpen }).close();
    console.log(`open 100k-event store (${(statSync(big).size / 1e6).toFixed(1)} MB), quick_check ${checkOnOpen ? 'on ' : 'off'}: ${(performance.now() - started).toFixed(1)} ms`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
