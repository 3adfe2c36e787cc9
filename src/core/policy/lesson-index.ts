import type { Lesson } from '../timetable/lesson.ts';

/**
 * Lessons sorted by start with a running maximum of their ends, so "which
 * lessons are on at t" and "when does the next one start" are binary searches.
 * Lessons can overlap (a student in two groups), which is why a plain
 * "last lesson that started" is not enough.
 */
export interface LessonIndex {
  readonly lessons: readonly Lesson[];
  /** maxEnd[i] = the latest end among lessons[0..i]. */
  readonly maxEnd: Float64Array;
}

const indexes = new WeakMap<readonly Lesson[], LessonIndex>();

/** Built once per lessons array (memoised on identity), so `decide` stays pure and fast. */
export function lessonIndex(all: readonly Lesson[]): LessonIndex {
  let index = indexes.get(all);
  if (!index) {
    const lessons = all.filter((l) => !l.cancelled).sort((a, b) => a.start - b.start || a.end - b.end);
    const maxEnd = new Float64Array(lessons.length);
    let running = Number.NEGATIVE_INFINITY;
    lessons.forEach((lesson, i) => {
      running = Math.max(running, lesson.end);
      maxEnd[i] = running;
    });
    index = { lessons, maxEnd };
    indexes.set(all, index);
  }
  return index;
}

/** Index of the last lesson that starts at or before `at`, or -1. */
function lastStartedBy(index: LessonIndex, at: number): number {
  let lo = 0;
  let hi = index.lessons.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (index.lessons[mid]!.start <= at) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

/** The lessons in progress at `at` (start ≤ at < end), earliest start first. */
export function lessonsAt(index: LessonIndex, at: number): Lesson[] {
  const current: Lesson[] = [];
  for (let i = lastStartedBy(index, at); i >= 0 && index.maxEnd[i]! > at; i--) {
    const lesson = index.lessons[i]!;
    if (lesson.end > at) current.push(lesson);
  }
  return current.reverse();
}

/** The first lesson that starts strictly after `at`. */
export function nextLessonAfter(index: LessonIndex, at: number): Lesson | undefined {
  return index.lessons[lastStartedBy(index, at) + 1];
}
