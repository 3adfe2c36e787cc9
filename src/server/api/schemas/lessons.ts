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
  schoolId: z.string(),
  timeZone: z.string(),
  lessons: z.array(LessonViewSchema),
});
