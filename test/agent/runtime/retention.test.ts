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
      expect(lines).toEqual([`retention: deleted 1 synced event older than ${DEVICE_EVENT_RETENTION_DAYS} days`]);
      expect(store.outboxBatch(10).map((e) => e.id)).toEqual([oldUnsynced.id]);
      expect(enforceRetention(store, NOW, { info: (l) => lines.push(l), warn: () => {}, error: () => {} })).toBe(0);
    } finally {
      store.close();
    }
  });

  it(`deletes exceptions that ended more than ${DEVICE_EVENT_RETENTION_DAYS} days ago (their teacher, reason and envelope with them), keeps later ones`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'lesmodus-retention-'));
    dirs.push(dir);
    const store = openDeviceStore({ path: join(dir, 'device.db'), now: () => NOW });
    try {
      const grant = (id: string, endedDaysAgo: number) => {
        const index = { id, issuedAt: NOW - (endedDaysAgo + 1) * DAY, expiresAt: NOW - endedDaysAgo * DAY };
        return () => store.putGrant(JSON.stringify({ id, reason: 'Debat over sociale media' }), index, undefined, JSON.stringify({ payload: { id } }));
      };
      const old = grant('ended-long-ago', DEVICE_EVENT_RETENTION_DAYS + 1);
      const recent = grant('ended-lately', DEVICE_EVENT_RETENTION_DAYS - 1);
      const running = grant('still-running', -1);
      for (const put of [old, recent, running]) expect(put()).toBe('stored');
      const lines: string[] = [];
      enforceRetention(store, NOW, { info: (l) => lines.push(l), warn: () => {}, error: () => {} });
      expect(lines).toEqual([`retention: deleted 1 exception that ended more than ${DEVICE_EVENT_RETENTION_DAYS} days ago`]);
      // Stored again means it was gone; unchanged means it was kept.
      expect(old()).toBe('stored');
      expect(recent()).toBe('unchanged');
      expect(running()).toBe('unchanged');
      expect(store.activeGrants(NOW).map((g) => g.id)).toEqual(['still-running']);
    } finally {
      store.close();
    }
  });

  it('runs on a valid nightly node-cron schedule', () => {
    expect(cron.validate(RETENTION_CRON)).toBe(true);
  });
});
