import type { Notice } from './link-messages.ts';

/**
 * Which of the agent's notices become a desktop notification. Notifications
 * are the tray's main surface (Windows hides tray icons, GNOME needs an
 * extension for them), so they must stay worth reading: the same text is
 * shown once per window, and never more than a few per minute even when a
 * student restarts a blocked app in a loop. Time is passed in.
 */

/** The same notice again within this long is not shown again: the student has just read it. */
export const REPEAT_WINDOW_MS = 5 * 60_000;
/** At most this many notifications per RATE_WINDOW_MS... */
export const RATE_LIMIT = 3;
/** ...a minute: enough for a lesson change and a block, too few to bury the screen. */
export const RATE_WINDOW_MS = 60_000;

export interface NoticeGate {
  /** True when this notice should be shown now. */
  admit(notice: Notice, now: number): boolean;
}

export function createNoticeGate(): NoticeGate {
  const lastShown = new Map<string, number>();
  const recent: number[] = [];
  return {
    admit(notice, now) {
      const key = notice.nl;
      const last = lastShown.get(key);
      if (last !== undefined && now - last < REPEAT_WINDOW_MS) return false;
      while (recent.length > 0 && now - recent[0]! >= RATE_WINDOW_MS) recent.shift();
      if (recent.length >= RATE_LIMIT) return false;
      recent.push(now);
      lastShown.set(key, now);
      // Forget what is past its window, so a tray that runs all week does not grow.
      for (const [text, at] of lastShown) if (now - at >= REPEAT_WINDOW_MS) lastShown.delete(text);
      return true;
    },
  };
}
