// @ts-check
// Pure helpers for times and lists; no DOM, so they are unit tested in Node.

/** "14:35" for an instant, in the school's time zone (not the browser's). */
export function clock(instant, timeZone) {
  return new Intl.DateTimeFormat('nl-NL', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(instant));
}

/** "ma 24-11-2026 14:35" (or the English equivalent), in the school's time zone. */
export function dateTime(instant, timeZone, lang) {
  return new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : 'nl-NL', {
    timeZone, weekday: 'short', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).format(new Date(instant));
}

/**
 * The instant a teacher means by "until 14:20" for a lesson ending at
 * `lessonEnd`: the same day, moved by the difference in wall-clock minutes.
 * Never later than the lesson's end (the API refuses that anyway) and null
 * for something that is not a clock time.
 */
export function untilInstant(hhmm, lessonEnd, timeZone) {
  const match = /^(\d{1,2}):(\d{2})$/.exec(hhmm ?? '');
  if (match === null) return null;
  const wanted = Number(match[1]) * 60 + Number(match[2]);
  const [endH, endM] = clock(lessonEnd, timeZone).split(':').map(Number);
  const delta = wanted - (endH * 60 + endM);
  return delta >= 0 ? lessonEnd : lessonEnd + delta * 60_000;
}

/** A date input's value ("2026-11-24") as the API's filter value, or undefined when empty. */
export function dateParam(value) {
  return /^\d{4}-\d{2}-\d{2}$/.test(value ?? '') ? value : undefined;
}

/** Where a lesson stands at `now`. */
export function lessonState(lesson, now) {
  if (lesson.cancelled) return 'cancelled';
  if (lesson.end <= now) return 'past';
  return lesson.start <= now ? 'now' : 'later';
}

/**
 * What an exception allows, in words: categories, services by name ("TikTok", from the policy's
 * serviceNames; the id only for a service the catalog no longer has), capture kinds.
 */
export function allowedText(allow, t, serviceNames = {}) {
  return [...allow.categories.map((c) => t(`cat.${c}`)), ...allow.services.map((s) => serviceNames[s] ?? s), ...allow.capture.map((c) => t(`cap.${c}`))].join(', ');
}
