import type { Lesson } from '../../../core/timetable/lesson.ts';

/**
 * A teacher's authority rests on the timetable: they may grant only for a
 * lesson with their code on it. Compared without case, as decide() does on
 * the device, so the server never issues a grant the device would ignore
 * (or the other way round).
 */
export function teaches(teacherCode: string | null, lesson: Pick<Lesson, 'teachers'>): boolean {
  if (teacherCode === null) return false;
  const wanted = teacherCode.toUpperCase();
  return lesson.teachers.some((t) => t.toUpperCase() === wanted);
}
