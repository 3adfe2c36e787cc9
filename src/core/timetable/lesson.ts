import { z } from 'zod';

/**
 * One lesson occurrence with exact instants. Recurring events expand into one
 * Lesson per occurrence; `uid` + `start` identifies an occurrence.
 */
export const LessonSchema = z.object({
  uid: z.string().min(1),
  /** Epoch ms, inclusive. */
  start: z.number().int(),
  /** Epoch ms, exclusive; always after start. */
  end: z.number().int(),
  subject: z.string().nullable(),
  groups: z.array(z.string()),
  teachers: z.array(z.string()),
  location: z.string().nullable(),
  cancelled: z.boolean(),
  online: z.boolean(),
}).refine((l) => l.end > l.start, { message: 'a lesson must end after it starts', path: ['end'] });
export type Lesson = z.infer<typeof LessonSchema>;

/** An all-day event (study day, holiday): dates, not instants. `end` is exclusive. */
export const AllDayEventSchema = z.object({
  uid: z.string().min(1),
  /** "YYYY-MM-DD", inclusive. */
  start: z.string(),
  /** "YYYY-MM-DD", exclusive (as in iCalendar). */
  end: z.string(),
  summary: z.string(),
  /** True when the day has no lessons (studiedag, vakantie). */
  noLessons: z.boolean(),
});
export type AllDayEvent = z.infer<typeof AllDayEventSchema>;

export interface ImportWarning {
  /** The UID (or "line N" when there is none) of the event the warning is about; null for the whole feed. */
  readonly event: string | null;
  readonly message: string;
}

export interface Timetable {
  /** Sorted by start, then uid. Cancelled lessons are included with cancelled = true. */
  readonly lessons: readonly Lesson[];
  readonly allDay: readonly AllDayEvent[];
  readonly warnings: readonly ImportWarning[];
}
