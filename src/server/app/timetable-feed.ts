import cron from 'node-cron';
import type { Logger } from '../http/logger.ts';
import { type Actor, type Services } from '../services/service.ts';
import { importTimetableFrom, redactedSource } from '../services/timetable.ts';
import type { School } from '../store/index.ts';

/**
 * The school's timetable feed (an ICS URL from Zermelo, Somtoday, Untis…)
 * refreshed on the server by itself: at start and on a cron schedule in the
 * school's zone. A feed that fails (unreachable, 500, not a timetable, no
 * lessons) replaces nothing: the lessons already stored stay, and the run
 * says why, for the admin.
 */

/** Every night at 05:30 school time: before the first lesson, after the timetable office's evening changes. */
export const DEFAULT_FEED_CRON = '30 5 * * *';

/** Who the audit log names for a scheduled refresh. */
export const FEED_ACTOR: Actor = { username: 'system:timetable-feed' };

/** The last refresh of a feed: when, whether it worked, and what it did or why not. */
export interface FeedRun {
  readonly at: number;
  readonly ok: boolean;
  /** Lessons stored by this run (0 when it failed). */
  readonly lessons: number;
  readonly message: string;
}

/** A cron expression node-cron takes, or a message saying what is wrong. */
export function checkFeedCron(expression: string): string | null {
  return cron.validate(expression) ? null : `"${expression}" is not a cron expression such as "${DEFAULT_FEED_CRON}" (minute hour day month weekday)`;
}

/** Fetches and imports the feed once; never throws (a failed run is a result). */
export async function refreshTimetableFeed(services: Services, school: School, url: string, now: number): Promise<FeedRun> {
  try {
    const result = await importTimetableFrom(services, FEED_ACTOR, school, url, {}, now);
    return { at: now, ok: true, lessons: result.added, message: `${result.added} lessons imported, ${result.removed} replaced` };
  } catch (error) {
    return { at: now, ok: false, lessons: 0, message: (error as Error).message };
  }
}

export interface FeedSchedule {
  readonly schoolId: string;
  /** Where the feed is, without its query (which holds the token). */
  readonly source: string;
  readonly expression: string;
  /** The last run, or null before the first one ended. */
  last(): FeedRun | null;
  /** Refreshes now (what the cron job and the start do); resolves with the run. */
  runNow(): Promise<FeedRun>;
  stop(): Promise<void>;
}

/** Refreshes at start and on `expression` (school time); the last run is kept in memory. */
export function scheduleTimetableFeed(services: Services, school: School, url: string, options: {
  readonly expression?: string; readonly logger: Logger; readonly clock?: () => number;
  /** Told of every run (the server keeps the last one in its data folder for the command line). */
  readonly onRun?: (run: FeedRun) => void;
}): FeedSchedule {
  const expression = options.expression ?? DEFAULT_FEED_CRON;
  const problem = checkFeedCron(expression);
  if (problem !== null) throw new Error(problem);
  const clock = options.clock ?? Date.now;
  let last: FeedRun | null = null;
  let running: Promise<FeedRun> | null = null;
  const runNow = (): Promise<FeedRun> => {
    running ??= refreshTimetableFeed(services, school, url, clock()).then((run) => {
      last = run;
      options.onRun?.(run);
      if (run.ok) options.logger.info('timetable feed: refreshed', { school: school.id, lessons: run.lessons });
      else options.logger.warn('timetable feed: failed, the stored timetable stays', { school: school.id, error: run.message });
      return run;
    }).finally(() => { running = null; });
    return running;
  };
  const task = cron.schedule(expression, async () => { await runNow(); }, { name: `lesmodus-timetable-feed-${school.id}`, timezone: school.timeZone });
  void runNow();
  return {
    schoolId: school.id,
    source: redactedSource(url),
    expression,
    last: () => last,
    runNow,
    async stop() {
      await task.stop();
      if (running !== null) await running;
    },
  };
}
