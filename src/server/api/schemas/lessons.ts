import { z } from 'zod';
import { Instant } from './common.ts';

/** A lesson occurrence as the API shows it (the store's Lesson: instants in epoch ms; uid + start identify it). */
export const LessonViewSchema = z.object({
  uid: z.string(),
  start: Instant,
  end: Instant,
  subject: z.string().nullable(),
  groups: z.array(z.string()),
  teachers: z.array(z.string()),
  location: z.string().nullable(),
  cancelled: z.boolean(),
  online: z.boolean(),
});

export const LessonRefViewSchema = LessonViewSchema.pick({ uid: true, start: true, end: true, subject: true, groups: true, teachers: true });

export const LessonDaySchema = z.object({
  date: z.string(),
  /**
   * The server's clock as it answered. The portal counts "now" from it, not
   * from the browser's clock: a teacher's laptop with a wrong clock (or the
   * demo started with --at) still sees which lesson is on.
   */
  now: Instant,
  schoolId: z.string(),
  timeZone: z.string(),
  /** The school year the day is in ("2026-2027"), which consents are counted for. */
  schoolYear: z.string(),
  lessons: z.array(LessonViewSchema.extend({
    /**
     * Per consent register the policy names (art. III.B.9, "social-media"):
     * how many students of the lesson's groups have none for this school
     * year. Counts only: the portal never shows who.
     */
    studentsWithoutConsent: z.record(z.string(), z.number().int()),
  })),
});
