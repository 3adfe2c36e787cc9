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

/**
 * A date as a Dutch user types it ("2-12-2026", "02-12-2026", "02/12/2026",
 * "02.12.2026") or as the address bar keeps it ("2026-12-02"), as "2026-12-02";
 * undefined when empty, null when it is no date on the calendar (31-02-2026).
 */
export function isoDate(text) {
  const value = (text ?? '').trim();
  if (value === '') return undefined;
  const dutch = /^(\d{1,2})[-./](\d{1,2})[-./](\d{4})$/.exec(value);
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(value);
  const [year, month, day] = dutch ? [dutch[3], dutch[2], dutch[1]].map(Number) : iso ? [iso[1], iso[2], iso[3]].map(Number) : [];
  if (year === undefined || month === undefined || day === undefined) return null;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return date.toISOString().slice(0, 10);
}

/** "2026-12-02" as a Dutch date field shows it, "02-12-2026"; anything else as it is (a mistyped date stays visible to be corrected). */
export function dutchDate(text) {
  const iso = isoDate(text);
  return typeof iso === 'string' ? `${iso.slice(8, 10)}-${iso.slice(5, 7)}-${iso.slice(0, 4)}` : (text ?? '');
}

/** A date field's value as the API's filter value: "2026-11-24", or undefined when empty or no date. */
export function dateParam(value) {
  return isoDate(value) ?? undefined;
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

/** "2 dec 08:30" (English: "2 Dec 08:30"): a short moment in the school's zone, for a line that says since when. */
export function shortDateTime(instant, timeZone, lang) {
  const parts = new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : 'nl-NL', { timeZone, day: 'numeric', month: 'short' }).formatToParts(new Date(instant));
  const day = parts.find((p) => p.type === 'day')?.value;
  const month = parts.find((p) => p.type === 'month')?.value.replace(/\.$/, '');
  return `${day} ${month} ${clock(instant, timeZone)}`;
}
