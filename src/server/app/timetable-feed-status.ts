import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { ApiContext } from '../api/context.ts';
import { servicesOf } from '../api/context.ts';
import { scheduleTimetableFeed, type FeedRun, type FeedSchedule } from './timetable-feed.ts';

/**
 * The running server's timetable feed, and its last run kept in the data
 * folder so `lesmodus server timetable status` (another process) can say it.
 */

export const FEED_STATUS_FILE = 'timetable-feed.json';

export interface FeedStatus {
  readonly schoolId: string;
  readonly source: string;
  readonly expression: string;
  readonly last: FeedRun | null;
}

export const FeedRunSchema = z.object({ at: z.number().int(), ok: z.boolean(), lessons: z.number().int(), message: z.string() });
export const FeedStatusSchema = z.object({ schoolId: z.string(), source: z.string(), expression: z.string(), last: FeedRunSchema.nullable() });

export function feedStatus(schedule: FeedSchedule): FeedStatus {
  return { schoolId: schedule.schoolId, source: schedule.source, expression: schedule.expression, last: schedule.last() };
}

/** The feed's school: the one named, or the only one the server has. */
export async function startTimetableFeed(context: ApiContext, feed: { schoolId?: string | undefined; url: string; expression?: string | undefined }, dataDir: string): Promise<FeedSchedule> {
  const schools = await context.store.schools();
  const school = feed.schoolId === undefined ? (schools.length === 1 ? schools[0]! : null) : schools.find((s) => s.id === feed.schoolId) ?? null;
  if (school === null) throw new Error(feed.schoolId === undefined ? 'name the school of the timetable feed (--timetable-feed-school)' : `there is no school '${feed.schoolId}' for the timetable feed`);
  const path = join(dataDir, FEED_STATUS_FILE);
  const schedule: FeedSchedule = scheduleTimetableFeed(servicesOf(context), school, feed.url, {
    ...(feed.expression ? { expression: feed.expression } : {}),
    logger: context.logger, clock: context.clock,
    onRun: () => {
      writeFile(path, `${JSON.stringify(feedStatus(schedule), null, 2)}\n`, { mode: 0o600 })
        .catch((error: unknown) => context.logger.warn('timetable feed: status not written', { error: String(error) }));
    },
  });
  context.timetableFeeds.set(school.id, schedule);
  return schedule;
}

/** The last status a server wrote, or null when none has run a feed here. */
export async function readFeedStatus(dataDir: string): Promise<FeedStatus | null> {
  try {
    const parsed = FeedStatusSchema.safeParse(JSON.parse(await readFile(join(dataDir, FEED_STATUS_FILE), 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
