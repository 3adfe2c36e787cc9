import type { Lesson } from '../timetable/lesson.ts';
import type { Decision, LessonRef } from './decide.ts';
import type { Explanation } from './explain.ts';

function iso(instant: number): string {
  return new Date(instant).toISOString();
}

/** A lesson as JSON: instants as ISO-8601 UTC strings, fields in a fixed order. */
export function lessonJson(lesson: LessonRef & { readonly cancelled?: Lesson['cancelled'] }) {
  return {
    uid: lesson.uid,
    start: iso(lesson.start),
    end: iso(lesson.end),
    subject: lesson.subject,
    groups: lesson.groups,
    teachers: lesson.teachers,
    location: lesson.location,
    cancelled: lesson.cancelled ?? false,
    online: lesson.online,
  };
}

/** A decision with its explanation as JSON, the shape `policy explain --json` and `agent status --json` print. */
export function decisionJson(decision: Decision, explanation: Explanation) {
  return {
    at: iso(decision.at),
    policy: decision.policy,
    inForce: decision.inForce,
    inLesson: decision.inLesson,
    lesson: decision.lesson ? lessonJson(decision.lesson) : null,
    onSchoolPremises: decision.onSchoolPremises,
    blocked: decision.blocked,
    reasons: decision.reasons.map((r) => ({ ...r, lesson: r.lesson ? lessonJson(r.lesson) : null, until: iso(r.until) })),
    allowed: decision.allowed.map((a) => ({ ...a, until: iso(a.until) })),
    ignoredGrants: decision.ignoredGrants,
    nextChange: decision.nextChange === null ? null : iso(decision.nextChange),
    message: explanation.message,
    hint: explanation.hint,
  };
}
export type DecisionJson = ReturnType<typeof decisionJson>;
