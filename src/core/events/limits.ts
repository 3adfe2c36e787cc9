/**
 * Upper bounds for every field of a device event. Events are synced from every
 * student laptop to the school server, so each bound keeps one event small and
 * keeps a buggy (or tampered) agent from filling the server with junk. A value
 * over a bound is rejected, never truncated: a cut-off id would point at the
 * wrong thing.
 *
 * The policy and catalog schemas should not allow values longer than these,
 * or the agent could not log a block under such a rule.
 */

/** Catalog service ids and policy rule ids are kebab-case; the catalog caps them at 64. */
export const MAX_ID_LENGTH = 64;

/** Article numbers such as "III.A.1"; 64 leaves room for a school's own numbering. */
export const MAX_ARTICLE_LENGTH = 64;

/** iCalendar UIDs from Zermelo, Somtoday and Outlook can be long; the grant schema allows 512 too. */
export const MAX_LESSON_UID_LENGTH = 512;

/** The grant schema's own bound on grant ids. */
export const MAX_GRANT_ID_LENGTH = 128;

/** Policy versions are short labels ("2025.1", a date, a hash prefix). */
export const MAX_POLICY_VERSION_LENGTH = 64;

/**
 * A tamper event's detail is written by the agent (never typed by a student),
 * e.g. "clock moved back 3 h 12 min". Long enough for a sentence, too short to
 * smuggle a log file or a document into the event log.
 */
export const MAX_TAMPER_DETAIL_LENGTH = 300;

/**
 * Articles one exception can cite. A grant lifts at most a few rules; 8 is
 * generous and still bounds the event.
 */
export const MAX_ARTICLES_PER_EXCEPTION = 8;

/** Services one exception can list; a grant that names more is a bug or an attack. */
export const MAX_SERVICES_PER_EXCEPTION = 64;

/**
 * Repeats one coalesced block event can count. A student relaunching an app
 * every second for a whole school day stays far below this; anything above it
 * is a runaway loop, not behaviour worth a bigger number.
 */
export const MAX_BLOCK_COUNT = 1_000_000;

/**
 * Events in one pushed batch: large enough that a laptop that was offline for
 * a week catches up in a few requests, small enough that one request stays
 * well under a megabyte.
 */
export const MAX_EVENTS_PER_BATCH = 500;
