import { parseEvent } from '../../../core/events/parse.ts';
import type { DeviceEvent } from '../../../core/events/schema.ts';
import type { BulkInsert, SqlDriver, SqlExecutor } from '../driver.ts';
import { ServerStoreError } from '../errors.ts';
import { Instant, PageSchema, RangeSchema, validate } from '../inputs.ts';
import { sql, type SqlValue } from '../sql.ts';
import type { IngestOutcome, IngestResult, Page, PageRequest, StoredEvent, TimeRange } from '../types.ts';
import { recordAppliedGrants } from './grants.ts';

/** Device events: the idempotent batch ingest and reading a device's events back. */

export const DEVICE_EVENTS_INSERT: BulkInsert = {
  table: 'device_events',
  columns: [
    { name: 'device_id', type: 'text' },
    { name: 'event_id', type: 'text' },
    { name: 'seq', type: 'bigint' },
    { name: 'type', type: 'text' },
    { name: 'occurred_at', type: 'bigint' },
    { name: 'received_at', type: 'bigint' },
    { name: 'policy_version', type: 'text' },
    { name: 'payload', type: 'text' },
    { name: 'grant_id', type: 'text' },
    { name: 'lesson_uid', type: 'text' },
    { name: 'lesson_start', type: 'bigint' },
  ],
  // The idempotency key: a device's event id is stored once, however often it is pushed.
  conflict: ['device_id', 'event_id'],
  returning: 'event_id',
};

/** The row for one validated event, in DEVICE_EVENTS_INSERT's column order. */
export function eventRow(deviceId: string, event: DeviceEvent, receivedAt: number): SqlValue[] {
  const payload = event.payload as { grantId?: string; lesson?: { uid: string; start: number } | null };
  return [deviceId, event.id, event.seq, event.type, event.occurredAt, receivedAt, event.policyVersion, JSON.stringify(event.payload),
    payload.grantId ?? null, payload.lesson?.uid ?? null, payload.lesson?.start ?? null];
}

/** Inserts rows, skipping stored ones; returns the ids it inserted. */
export async function insertEventRows(tx: SqlExecutor, rows: readonly SqlValue[][]): Promise<Set<string>> {
  return new Set((await tx.insertSkippingConflicts(DEVICE_EVENTS_INSERT, rows)) as string[]);
}

interface Checked {
  readonly outcomes: (IngestOutcome | undefined)[];
  /** First occurrence of each valid id, with its index in the batch. */
  readonly valid: { index: number; event: DeviceEvent }[];
}

/** Validates each event with the core schema; a bad one is rejected alone, and a repeated id is the same event pushed twice. */
function check(events: readonly unknown[]): Checked {
  const outcomes: (IngestOutcome | undefined)[] = [];
  const valid: { index: number; event: DeviceEvent }[] = [];
  const seen = new Set<string>();
  events.forEach((input, index) => {
    const parsed = parseEvent(input);
    if (!parsed.ok) {
      const id = (input as { id?: unknown } | null)?.id;
      outcomes[index] = { index, id: typeof id === 'string' ? id : null, status: 'rejected', issues: parsed.issues };
    } else if (seen.has(parsed.value.id)) {
      outcomes[index] = { index, id: parsed.value.id, status: 'duplicate' };
    } else {
      seen.add(parsed.value.id);
      valid.push({ index, event: parsed.value });
    }
  });
  return { outcomes, valid };
}

export async function ingestEvents(db: SqlDriver, deviceId: string, events: readonly DeviceEvent[], receivedAt: number): Promise<IngestResult> {
  validate(Instant, receivedAt, 'a receive time');
  const { outcomes, valid } = check(events);
  const rows = valid.map(({ event }) => eventRow(deviceId, event, receivedAt));

  const { inserted, lastEventSeq, previousLastEventSeq } = await db.transaction(async (tx) => {
    // One batch per device at a time (PostgreSQL; SQLite has one writer
    // anyway): the device row and its acknowledgements are updated in one
    // order, and the idempotency itself rests on the primary key regardless.
    await tx.lock(`device-events:${deviceId}`);
    const device = await tx.get<{ last_event_seq: number | null }>(sql`SELECT last_event_seq FROM devices WHERE id = ${deviceId}`);
    if (device === undefined) throw new ServerStoreError('not-found', `There is no device "${deviceId}"; it must enroll before it pushes events. Nothing was stored.`);
    const inserted = await insertEventRows(tx, rows);
    const fresh = valid.filter(({ event }) => inserted.has(event.id)).map(({ event }) => event);
    await acknowledgeAppliedGrants(tx, deviceId, fresh);
    const highest = Math.max(device.last_event_seq ?? 0, ...fresh.map((e) => e.seq));
    if (fresh.length > 0) await tx.run(sql`UPDATE devices SET last_event_seq = ${highest} WHERE id = ${deviceId}`);
    return { inserted, lastEventSeq: highest === 0 ? null : highest, previousLastEventSeq: device.last_event_seq };
  });

  for (const { index, event } of valid) outcomes[index] = { index, id: event.id, status: inserted.has(event.id) ? 'accepted' : 'duplicate' };
  const all = outcomes as IngestOutcome[];
  return {
    outcomes: all,
    accepted: all.filter((o) => o.status === 'accepted').length,
    duplicates: all.filter((o) => o.status === 'duplicate').length,
    rejected: all.filter((o) => o.status === 'rejected').length,
    lastEventSeq,
    previousLastEventSeq,
  };
}

/** An exception.applied event is the device saying the grant took effect for its student: the earliest such moment counts. */
async function acknowledgeAppliedGrants(tx: SqlExecutor, deviceId: string, events: readonly DeviceEvent[]): Promise<void> {
  const earliest = new Map<string, number>();
  for (const event of events) {
    if (event.type !== 'exception.applied') continue;
    const known = earliest.get(event.payload.grantId);
    if (known === undefined || event.occurredAt < known) earliest.set(event.payload.grantId, event.occurredAt);
  }
  await recordAppliedGrants(tx, deviceId, earliest);
}

interface EventRow {
  device_id: string;
  event_id: string;
  seq: number;
  type: string;
  occurred_at: number;
  received_at: number;
  policy_version: string;
  payload: string;
}

/** Rows were validated with the core schema on the way in and cannot change, so they are not validated again. */
export function storedEventOf(row: EventRow): StoredEvent {
  return {
    deviceId: row.device_id,
    receivedAt: row.received_at,
    event: { id: row.event_id, seq: row.seq, type: row.type, occurredAt: row.occurred_at, policyVersion: row.policy_version,
      payload: JSON.parse(row.payload) } as DeviceEvent,
  };
}

export async function deviceEvents(db: SqlDriver, deviceId: string, rangeInput: TimeRange, pageInput: PageRequest): Promise<Page<StoredEvent>> {
  const range = validate(RangeSchema, rangeInput, 'the range of events');
  const page = validate(PageSchema, pageInput, 'the page');
  const matching = sql`FROM device_events WHERE device_id = ${deviceId} AND occurred_at >= ${range.from} AND occurred_at < ${range.to}`;
  const rows = await db.all<EventRow>(sql`SELECT device_id, event_id, seq, type, occurred_at, received_at, policy_version, payload ${matching}
    ORDER BY occurred_at DESC, seq DESC, event_id DESC LIMIT ${page.limit} OFFSET ${page.offset}`);
  const total = await db.get<{ total: number }>(sql`SELECT count(*) AS total ${matching}`);
  return { rows: rows.map(storedEventOf), total: total?.total ?? 0 };
}
