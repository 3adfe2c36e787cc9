import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { ProcessGuard } from '../../../src/agent/processes/guard.ts';
import { Agent } from '../../../src/agent/runtime/agent.ts';
import { GUARD_FAILURE_REPORT_EVERY_MS, guardFailureDetail, guardFailureReporter } from '../../../src/agent/runtime/guard-failures.ts';
import { openDeviceStore } from '../../../src/agent/store/index.ts';
import { loadCatalogIndex } from '../../../src/adapters/resources.ts';
import { svokPolicy } from '../../helpers/policy.ts';

const emfile = () => Object.assign(new Error("EMFILE: too many open files, open '/proc/4242/stat'"), { code: 'EMFILE' });

describe('guard failures', () => {
  it('are told by their error code, never by a path or a message a student could shape', () => {
    expect(guardFailureDetail(emfile())).toBe('the process guard failed (EMFILE): blocked apps may run until it recovers');
    expect(guardFailureDetail(new TypeError("cannot read '/home/sanne/x'"))).toBe('the process guard failed (TypeError): blocked apps may run until it recovers');
    expect(guardFailureDetail('a string')).toBe('the process guard failed (Error): blocked apps may run until it recovers');
  });

  it('are reported at the first failure and then at most every ten minutes while they go on', () => {
    let clock = 0;
    const reported: string[] = [];
    const report = guardFailureReporter((detail) => reported.push(detail), () => clock);
    report(emfile());
    clock += 250;
    report(emfile());
    clock += GUARD_FAILURE_REPORT_EVERY_MS;
    report(emfile());
    expect(reported).toHaveLength(2);
  });

  it('a guard that cannot read the process list (EMFILE) ends up as a tamper event in the store', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lesmodus-guard-failure-'));
    const store = openDeviceStore({ path: join(dir, 'device.db') });
    const agent = new Agent({
      store, policy: svokPolicy, catalog: loadCatalogIndex(), now: () => 1_800_000_000_000, onSchoolNetwork: async () => false,
      enforcers: [], log: { info: () => {}, warn: () => {}, error: () => {} }, statusFile: join(dir, 'status.json'), dryRun: false,
    });
    const guard = new ProcessGuard({
      os: 'linux', catalog: loadCatalogIndex(), now: () => 0, intervalMs: 5,
      source: { list: () => Promise.reject(emfile()) },
      killer: { terminate: () => 'gone', forceKill: () => 'gone', isAlive: () => false },
      onBlock: () => {},
      onError: guardFailureReporter((detail) => agent.reportTamper('guard-failure', detail)),
    });
    try {
      guard.start();
      await vi.waitFor(() => expect(store.outboxBatch(10).filter((e) => e.type === 'tamper')).toHaveLength(1));
      expect(store.outboxBatch(10).find((e) => e.type === 'tamper')?.payload).toEqual({ kind: 'guard-failure', detail: 'the process guard failed (EMFILE): blocked apps may run until it recovers' });
    } finally {
      await guard.stop();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
