import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import cron from 'node-cron';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { instantToLocal } from '../../../src/core/time/zoned.ts';
import { checkFeedCron, DEFAULT_FEED_CRON, refreshTimetableFeed, scheduleTimetableFeed } from '../../../src/server/app/timetable-feed.ts';
import { memoryLogger } from '../../../src/server/http/logger.ts';
import { NO_LIVE_LAPTOPS } from '../../../src/server/services/service.ts';
import { SqliteServerStore } from '../../../src/server/store/index.ts';
import { waitFor } from '../../helpers/wait-for.ts';
import { ams } from '../../helpers/policy.ts';
import { SCHOOL } from '../store/fixtures.ts';

/**
 * The school's ICS feed refreshed by the server: a real HTTP server on
 * 127.0.0.1 serves the feed, then fails (500, not a timetable); a failing
 * feed keeps the stored timetable and says why. The cron job is triggered
 * directly; its expression is tested on its own.
 */

const ICS = readFileSync(new URL('../../fixtures/timetables/zermelo-student-v4.ics', import.meta.url));
let mode: 'ok' | '500' | 'bad' = 'ok';
let feed: Server;
let url: string;

beforeAll(async () => {
  feed = createServer((req, res) => {
    if (mode === '500') { res.writeHead(500).end('oops'); return; }
    res.writeHead(200, { 'content-type': 'text/calendar' }).end(mode === 'ok' ? ICS : 'Dit is geen rooster.\n');
  });
  await new Promise<void>((resolve) => feed.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(feed.address() as AddressInfo).port}/ical?token=geheim`;
});
afterAll(async () => new Promise<void>((resolve) => feed.close(() => resolve())));

describe('the timetable feed', () => {
  let store: SqliteServerStore;
  const services = () => ({ store, laptops: NO_LIVE_LAPTOPS });
  const lessons = () => store.lessons(SCHOOL.id, { from: ams('2026-11-23 00:00'), to: ams('2026-11-30 00:00') });
  beforeEach(async () => {
    mode = 'ok';
    store = await SqliteServerStore.open({ path: ':memory:' });
    await store.putSchool(SCHOOL, 1);
  });
  afterEach(async () => store.close());

  it('imports the feed, audited without its token; a 500 or a file that is no timetable keeps the lessons and says why', async () => {
    const first = await refreshTimetableFeed(services(), SCHOOL, url, ams('2026-11-22 05:30'));
    expect(first).toMatchObject({ ok: true, at: ams('2026-11-22 05:30') });
    expect(first.lessons).toBeGreaterThan(0);
    const stored = (await lessons()).length;
    expect(stored).toBe(first.lessons);
    const audit = (await store.auditLog({}, { limit: 5, offset: 0 })).rows;
    expect(audit[0]).toMatchObject({ username: 'system:timetable-feed', action: 'import-timetable' });
    expect(audit[0]!.detail).not.toContain('geheim');

    mode = '500';
    const failed = await refreshTimetableFeed(services(), SCHOOL, url, ams('2026-11-23 05:30'));
    expect(failed).toMatchObject({ ok: false, lessons: 0 });
    expect(failed.message).toContain('500');
    mode = 'bad';
    expect((await refreshTimetableFeed(services(), SCHOOL, url, ams('2026-11-24 05:30'))).ok).toBe(false);
    expect((await lessons()).length).toBe(stored);
  });

  it('refreshes at start and when its job runs, keeping the last run', async () => {
    const logger = memoryLogger();
    const schedule = scheduleTimetableFeed(services(), SCHOOL, url, { logger, clock: () => ams('2026-11-22 05:30') });
    try {
      const atStart = await waitFor(() => schedule.last() ?? undefined, 'the refresh at start');
      expect(atStart.ok).toBe(true);
      mode = '500';
      const run = await schedule.runNow();
      expect(run.ok).toBe(false);
      expect(schedule.last()).toBe(run);
      expect(logger.lines.some((l) => l.message === 'timetable feed: failed, the stored timetable stays')).toBe(true);
    } finally {
      await schedule.stop();
    }
  });

  it('runs every night at 05:30 school time by default, also across the DST change; a wrong expression is refused', () => {
    expect(checkFeedCron(DEFAULT_FEED_CRON)).toBeNull();
    expect(checkFeedCron('every night')).toContain('is not a cron expression');
    expect(() => scheduleTimetableFeed(services(), SCHOOL, url, { expression: '61 5 * * *', logger: memoryLogger() })).toThrow(/not a cron expression/);
    const task = cron.createTask(DEFAULT_FEED_CRON, () => {}, { timezone: SCHOOL.timeZone });
    try {
      for (const next of task.getNextRuns(400)) {
        const local = instantToLocal(next.getTime(), SCHOOL.timeZone);
        expect([local.hour, local.minute]).toEqual([5, 30]);
      }
    } finally {
      void task.destroy();
    }
  });
});
