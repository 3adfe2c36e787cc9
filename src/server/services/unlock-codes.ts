import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Teacher unlock codes: what a teacher types at a student's laptop instead of
 * their password (which the student's session could capture). A code is six
 * digits made by the server from its own key, the lesson and the teacher, for
 * a few minutes: it says "this teacher, this lesson, now" and nothing more. It
 * cannot log in, it is useless for another lesson, and it stops working by
 * itself, so there is nothing to store, revoke or clean up. Guessing is rate
 * limited at the device route (per laptop, and per lesson across laptops).
 */

/** How long a code is shown for; it is also accepted for one period after, so a code read at the last second still works. */
export const CODE_PERIOD_MS = 5 * 60_000;

export interface LessonRef {
  readonly uid: string;
  readonly start: number;
}

function codeAt(key: Buffer, lesson: LessonRef, username: string, period: number): string {
  const mac = createHmac('sha256', key).update(`${lesson.uid}\u0000${lesson.start}\u0000${username.toLowerCase()}\u0000${period}`).digest();
  // Dynamic truncation as TOTP does (RFC 4226 §5.3): 31 bits from an offset the last nibble picks.
  const offset = mac[mac.length - 1]! & 0x0f;
  const value = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(value % 1_000_000).padStart(6, '0');
}

/** The code this teacher (or leader) gives for this lesson now, and until when it is shown. */
export function unlockCodeFor(key: Buffer, lesson: LessonRef, username: string, now: number): { code: string; validUntil: number } {
  const period = Math.floor(now / CODE_PERIOD_MS);
  return { code: codeAt(key, lesson, username, period), validUntil: (period + 1) * CODE_PERIOD_MS };
}

/** Whose code this is for the lesson now (this period or the one before), among the people who may grant it; null when nobody's. */
export function codeOwner(key: Buffer, lesson: LessonRef, usernames: readonly string[], code: string, now: number): string | null {
  const period = Math.floor(now / CODE_PERIOD_MS);
  const given = Buffer.from(code);
  let owner: string | null = null;
  // Every candidate is checked, so the time taken does not tell which one matched.
  for (const username of usernames) {
    for (const p of [period, period - 1]) {
      const expected = Buffer.from(codeAt(key, lesson, username, p));
      if (expected.length === given.length && timingSafeEqual(expected, given) && owner === null) owner = username;
    }
  }
  return owner;
}
