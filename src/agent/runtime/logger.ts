import { DEFAULT_TIME_ZONE, formatLocalStamp } from '../../core/time/zoned.ts';

/**
 * One line per event: what an admin greps in the service log. Timestamped in
 * the school's zone with its offset ("2026-12-02 10:45:03+01:00"), so a
 * notice saying "tot 10:10" sits next to the same clock, and the line is still
 * exact.
 */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export function lineLogger(write: (line: string) => void, now: () => number = Date.now, zone: string = DEFAULT_TIME_ZONE): Logger {
  const line = (level: string) => (message: string) => write(`${formatLocalStamp(now(), zone)} ${level.padEnd(5)} ${message}\n`);
  return { info: line('info'), warn: line('warn'), error: line('error') };
}
