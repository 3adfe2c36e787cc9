/**
 * The whole feed is unusable (not iCalendar, cut off, absurdly large). The
 * caller should keep its previous timetable: replacing a good cached schedule
 * with half a feed would silently drop lessons. The message says what is wrong
 * and what to do about it, in words a school's IT contact can act on.
 */
export class TimetableImportError extends Error {
  override readonly name = 'TimetableImportError';
}
