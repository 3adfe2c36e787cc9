// Feeds repeat events: Somtoday lists a lesson twice, a moved lesson may
// appear in its old and new version. One version per UID and RECURRENCE-ID
// survives: the highest SEQUENCE, then the latest LAST-MODIFIED, then the
// latest DTSTAMP, then the last one in the file.

import { occurrenceKey, type EventRecord } from './event-record.ts';

function compareOptional(a: number | undefined, b: number | undefined): number {
  return (a ?? Number.NEGATIVE_INFINITY) - (b ?? Number.NEGATIVE_INFINITY);
}

/** True when `a` replaces `b`. */
function supersedes(a: EventRecord, b: EventRecord): boolean {
  return (
    (a.sequence - b.sequence ||
      compareOptional(a.lastModified, b.lastModified) ||
      compareOptional(a.dtstamp, b.dtstamp) ||
      a.order - b.order) > 0
  );
}

export function latestVersions(records: readonly EventRecord[]): EventRecord[] {
  const kept = new Map<string, EventRecord>();
  for (const record of records) {
    const key = record.recurrenceId ? `${record.uid}\u0000${occurrenceKey(record.recurrenceId)}` : record.uid;
    const current = kept.get(key);
    if (!current || supersedes(record, current)) kept.set(key, record);
  }
  return [...kept.values()];
}
