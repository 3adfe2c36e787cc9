// Cancelled, online, and "no lessons today", read from what feeds actually say.
// The text rules are deliberately narrow: a remark that mentions a cancelled
// test ("de toets is vervallen") or an online resource is not a cancelled or
// online lesson, and a false "cancelled" would switch the lesson rules off.

/** Only text near the start of a description is read; lesson remarks are short. */
const MAX_SCANNED = 2000;

const NEGATED = /^\s+(?:niet|not)\b/i;

/** True when global `pattern` matches somewhere in `text` without being followed by "niet" ("Les vervalt niet"). */
function mentions(text: string, pattern: RegExp): boolean {
  pattern.lastIndex = 0;
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
    if (!NEGATED.test(text.slice(m.index + m[0].length, m.index + m[0].length + 8))) return true;
  }
  return false;
}

/** Words that, in a lesson's own title, mean it does not take place. */
const CANCELLED_IN_SUMMARY = /\b(?:vervalt|vervallen|uitval|lesuitval|valt uit|gaat niet door|geannuleerd|afgelast|canceled|cancelled)\b/gi;

/** In a description only a statement about the lesson itself counts. */
const CANCELLED_IN_DESCRIPTION =
  /\b(?:les|lessen|lesuur|lesuren)\s+(?:vervalt|vervallen|valt uit|vallen uit|gaat niet door|gaan niet door|is vervallen|is geannuleerd|is afgelast)\b|\blesuitval\b/gi;

/** …or a remark line that consists of nothing but the verdict ("Wijzigingen: Vervallen"). */
const VERDICT_LINE = /^(?:(?:wijzigingen|wijziging|opmerkingen|opmerking|status)\s*:\s*)?(?:vervalt|vervallen|uitval|geannuleerd|afgelast)[.!]?$/i;

export interface CancellationInput {
  readonly status: string;
  readonly markers: readonly string[];
  readonly summary: string;
  readonly description: string;
}

/** STATUS:CANCELLED, Zermelo's "[x]", or Dutch wording in the summary or a remark. */
export function isCancelled(input: CancellationInput): boolean {
  if (input.status === 'CANCELLED' || input.markers.includes('x')) return true;
  if (mentions(input.summary.slice(0, MAX_SCANNED), CANCELLED_IN_SUMMARY)) return true;
  const description = input.description.slice(0, MAX_SCANNED);
  if (mentions(description, CANCELLED_IN_DESCRIPTION)) return true;
  return description.split('\n').some((line) => VERDICT_LINE.test(line.trim()));
}

/** A LOCATION that is a platform rather than a room. */
const ONLINE_LOCATION = /^(?:online|teams|ms teams|microsoft teams|zoom|google meet|meet|thuis|digitaal)$|\bonline\b|https?:\/\//i;

/**
 * Phrases that put the lesson itself online. Zermelo's "[o]" marker is NOT
 * one: the sample feed puts it on a lesson in room t101, and Zermelo's own
 * appointment model has an "optional" flag, which "[o]" most likely shows.
 */
const ONLINE_TEXT =
  /\bonline[- ]?(?:les|lessen|lesson|class)\b|\b(?:les|lessen)\s+(?:is\s+|wordt\s+|vindt\s+)?online\b|\bvia\s+(?:ms\s+|microsoft\s+)?(?:teams|zoom|google meet)\b|\bdigitale les\b|\bafstandsonderwijs\b|teams\.microsoft\.com\/l\/meetup-join|meet\.google\.com\/[a-z]|zoom\.us\/j\//gi;

const NEGATION_BEFORE = /\b(?:geen|niet)\s+$/i;

function mentionsOnline(text: string): boolean {
  ONLINE_TEXT.lastIndex = 0;
  for (let m = ONLINE_TEXT.exec(text); m; m = ONLINE_TEXT.exec(text)) {
    if (!NEGATION_BEFORE.test(text.slice(Math.max(0, m.index - 6), m.index))) return true;
  }
  return false;
}

export interface OnlineInput {
  readonly hasOnlineMeeting: boolean;
  readonly summary: string;
  readonly description: string;
  readonly location: string;
}

/** A Teams/Meet meeting attached by the calendar, a platform as location, or the feed's own words. */
export function isOnline(input: OnlineInput): boolean {
  if (input.hasOnlineMeeting) return true;
  if (input.location !== '' && ONLINE_LOCATION.test(input.location.slice(0, 200))) return true;
  if (/\bonline\b/i.test(input.summary.slice(0, 200))) return true;
  return mentionsOnline(input.description.slice(0, MAX_SCANNED));
}

/** Whole-word "vrij" (not "vrijdag") and the usual names of days without lessons. */
const NO_LESSONS =
  /studiedag|studiemiddag|vakantie|lesvrij|roostervrij|schoolvrij|\bvrij\b|\bvrije dag|geen les|geen school|feestdag|koningsdag|bevrijdingsdag|hemelvaart|pinkster|paasdag|pasen|goede vrijdag|kerstdag|nieuwjaarsdag|\bholiday|no school/i;

/** True for a study day or holiday: an all-day event that means there are no lessons. */
export function meansNoLessons(summary: string): boolean {
  return NO_LESSONS.test(summary.slice(0, 200));
}
