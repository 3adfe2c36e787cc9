import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import cron from 'node-cron';
import { afterEach, describe, expect, it } from 'vitest';
import { DEVICE_EVENT_RETENTION_DAYS, enforceRetention, RETENTION_CRON } from '../../../src/agent/runtime/retention.ts';
import { openDeviceStore } from '../../../src/agent/store/index.ts';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 25, 12);
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('retention on the laptop', () => {
  it(`deletes synced events older than ${DEVICE_EVENT_RETENTION_DAYS} days, keeps newer ones, and never one the server does not have`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'lesmodus-retention-'));
    dirs.push(dir);
    const store = openDeviceStore({ path: join(dir, 'device.db'), now: () => NOW });
    try {
      const event = (daysAgo: number) => store.appendEvent({ type: 'tamper', policyVersion: 'test-1', occurredAt: NOW - daysAgo * DAY, payload: { kind: 'test', detail: `${daysAgo} days ago` } });
      const oldSynced = event(DEVICE_EVENT_RETENTION_DAYS + 1);
      const oldUnsynced = event(DEVICE_EVENT_RETENTION_DAYS + 90);
      const recentSynced = event(DEVICE_EVENT_RETENTION_DAYS - 1);
      store.markSynced([oldSynced.id, recentSynced.id]);
      const lines: string[] = [];
      expect(enforceRetention(store, NOW, { info: (l) => lines.push(l), warn: () => {}, error: () => {} })).toBe(1);
      expect(lines).toEqual([`retention: deleted 1 synced events older than ${DEVICE_EVENT_RETENTION_DAYS} days`]);
      expect(store.outboxBatch(10).map((e) => e.id)).toEqual([oldUnsynced.id]);
      expect(enforceRetention(store, NOW, { info: (l) => lines.push(l), warn: () => {}, error: () => {} })).toBe(0);
    } finally {
      store.close();
    }
  });

  it('runs on a valid nightly node-cron schedule', () => {
    expect(cron.validate(RETENTION_CRON)).toBe(true);
  });
});
