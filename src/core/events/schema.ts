import { z } from 'zod';
import { Instant, PolicyVersion } from './fields.ts';
import {
  AppBlockedPayload,
  CaptureBlockedPayload,
  EnforcementPayload,
  ExceptionAppliedPayload,
  ExceptionExpiredPayload,
  ExceptionRevokedPayload,
  SiteBlockedPayload,
  TamperPayload,
} from './payloads.ts';

/**
 * Device events: what the agent on a student laptop records and later pushes
 * to the school server, which validates every pushed batch with these same
 * schemas. The envelope is the same for every type:
 *
 * - `id`: a UUID made on the device; the server deduplicates on it, so a batch
 *   sent twice (lost acknowledgement) is stored once.
 * - `seq`: assigned by the device store, strictly increasing per device and
 *   never reused; a gap tells the server an event is missing.
 * - `occurredAt`: epoch ms by the device's clock (see the `tamper` kind
 *   `clock-jump` for when that clock lies).
 * - `policyVersion`: the policy in force when it happened; always required, so
 *   every event can be explained later under the rules of that moment.
 *
 * Privacy by design (AVG): events carry ids, categories, rule articles and
 * counts, never screenshots, URLs, window titles, keystrokes or free text from
 * the student, and every string is bounded.
 *
 * `heartbeat` is deliberately not an event: one a minute from every laptop
 * would swamp the log and the server with rows that say nothing happened.
 * Liveness belongs in the sync request itself ("last seen"), not here.
 */

export const EVENT_TYPES = [
  'exception.applied',
  'exception.expired',
  'exception.revoked',
  'app.blocked',
  'site.blocked',
  'capture.blocked',
  'enforcement.started',
  'enforcement.stopped',
  'tamper',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Event types whose repeats the store coalesces into one event with a count. */
export const BLOCK_EVENT_TYPES = ['app.blocked', 'site.blocked', 'capture.blocked'] as const;
export type BlockEventType = (typeof BLOCK_EVENT_TYPES)[number];

const EventId = z.uuid('must be a UUID');
const Seq = z.number().int('must be a whole number').positive('must be 1 or more');

/** A stored event as the store returns it and the server receives it. */
function storedEvent<const T extends EventType, P extends z.ZodType>(type: T, payload: P) {
  return z.strictObject({ id: EventId, seq: Seq, type: z.literal(type), occurredAt: Instant, policyVersion: PolicyVersion, payload });
}

/** An event before the store has given it an id and a seq. */
function newEvent<const T extends EventType, P extends z.ZodType>(type: T, payload: P) {
  return z.strictObject({ type: z.literal(type), occurredAt: Instant, policyVersion: PolicyVersion, payload });
}

const unknownType = { error: `unknown event type; expected one of: ${EVENT_TYPES.join(', ')}` };

/** A block event's last repeat cannot come before its first. */
function lastRepeatNotBeforeFirst(
  event: { type: EventType; occurredAt: number; payload: unknown },
  ctx: z.RefinementCtx,
): void {
  const payload = event.payload as { lastOccurredAt?: unknown };
  if (typeof payload.lastOccurredAt === 'number' && payload.lastOccurredAt < event.occurredAt) {
    ctx.addIssue({ code: 'custom', message: 'the last repeat cannot come before occurredAt, the first', path: ['payload', 'lastOccurredAt'] });
  }
}

export const DeviceEventSchema = z.discriminatedUnion('type', [
  storedEvent('exception.applied', ExceptionAppliedPayload),
  storedEvent('exception.expired', ExceptionExpiredPayload),
  storedEvent('exception.revoked', ExceptionRevokedPayload),
  storedEvent('app.blocked', AppBlockedPayload),
  storedEvent('site.blocked', SiteBlockedPayload),
  storedEvent('capture.blocked', CaptureBlockedPayload),
  storedEvent('enforcement.started', EnforcementPayload),
  storedEvent('enforcement.stopped', EnforcementPayload),
  storedEvent('tamper', TamperPayload),
], unknownType).superRefine(lastRepeatNotBeforeFirst);
export type DeviceEvent = z.infer<typeof DeviceEventSchema>;

export const NewEventSchema = z.discriminatedUnion('type', [
  newEvent('exception.applied', ExceptionAppliedPayload),
  newEvent('exception.expired', ExceptionExpiredPayload),
  newEvent('exception.revoked', ExceptionRevokedPayload),
  newEvent('app.blocked', AppBlockedPayload),
  newEvent('site.blocked', SiteBlockedPayload),
  newEvent('capture.blocked', CaptureBlockedPayload),
  newEvent('enforcement.started', EnforcementPayload),
  newEvent('enforcement.stopped', EnforcementPayload),
  newEvent('tamper', TamperPayload),
], unknownType).superRefine(lastRepeatNotBeforeFirst);
/** An event to be stored: everything but the `id` and `seq` the store assigns. */
export type NewEvent = z.infer<typeof NewEventSchema>;

export type EventOfType<T extends EventType> = Extract<DeviceEvent, { type: T }>;
export type PayloadOf<T extends EventType> = EventOfType<T>['payload'];
/** A stored app, site or capture block. */
export type BlockEvent = EventOfType<BlockEventType>;
