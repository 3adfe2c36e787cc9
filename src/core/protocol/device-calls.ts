import { z } from 'zod';
import { MAX_EVENTS_PER_BATCH } from '../events/limits.ts';
import { DeviceReportSchema } from './enrollment.ts';
import { Instant } from './fields.ts';
import { SignedDeviceGrantSchema } from './signed-payloads.ts';

/**
 * What an enrolled device sends and gets back, with its bearer credential:
 * heartbeat, grants, events. There is no separate acknowledgement call: a
 * device reports that a grant took effect for its student with the
 * exception.applied event in its outbox (durable, sent exactly once).
 */

export const HeartbeatBody = z.strictObject({
  /** The device's clock when it sent this, to report its offset from the server's. */
  sentAt: Instant.optional(),
  /** What the device says about itself now (a new agent version, another logged-in student). */
  report: DeviceReportSchema.optional(),
});

export const HeartbeatReplySchema = z.object({
  serverTime: Instant,
  /** The highest event seq the server has stored for this device: the agent can drop its outbox up to here. */
  lastEventSeq: z.number().int().nullable(),
  /** sentAt minus serverTime, when sentAt was given (positive: the device's clock is ahead). */
  clockOffsetMs: z.number().int().nullable(),
});

/** The grants reaching the device, each signed for it. */
export const GrantListSchema = z.object({ serverTime: Instant, grants: z.array(SignedDeviceGrantSchema) });
/**
 * The same list as the device reads it: each grant stays unparsed until its
 * signature is checked, and one bad grant is rejected (and logged as tamper)
 * alone instead of failing the whole list.
 */
export const ReceivedGrantListSchema = GrantListSchema.extend({ grants: z.array(z.unknown()) });

export const EventsBody = z.strictObject({
  /** Each is checked on its own: a malformed event is rejected alone and the valid rest is kept. */
  events: z.array(z.unknown()).max(MAX_EVENTS_PER_BATCH, `at most ${MAX_EVENTS_PER_BATCH} events per batch`),
});

export const IngestReplySchema = z.object({
  outcomes: z.array(z.object({
    index: z.number().int(),
    id: z.string().nullable(),
    status: z.enum(['accepted', 'duplicate', 'rejected']),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })),
  accepted: z.number().int(),
  duplicates: z.number().int(),
  rejected: z.number().int(),
  lastEventSeq: z.number().int().nullable(),
  /**
   * The highest seq the server held for this device before this batch. Below
   * what the laptop knows the server acknowledged, the server lost events
   * (restored from a backup) and the laptop sends them again. Optional: a
   * server from before this field answers without it.
   */
  previousLastEventSeq: z.number().int().nullable().optional(),
});


/** The most signed grants one restore call carries; a laptop with more sends them in several calls. */
export const MAX_GRANTS_PER_RESTORE = 100;

/**
 * After the server was restored from a backup (its answer to an event push or a heartbeat
 * says it lost events), the laptop offers it every grant it still holds, as
 * the server signed them for this device: grants issued after the backup come
 * back into the leaders' log. Each is checked on its own.
 */
export const GrantRestoreBody = z.strictObject({
  grants: z.array(z.unknown()).min(1, 'offer at least one grant').max(MAX_GRANTS_PER_RESTORE, `at most ${MAX_GRANTS_PER_RESTORE} grants per call`),
});

export const GrantRestoreReplySchema = z.object({
  outcomes: z.array(z.object({
    index: z.number().int(),
    /** The grant's id, when the envelope names one. */
    grantId: z.string().nullable(),
    /**
     * restored: the server had lost it and keeps it again; known: it has it
     * (a revocation it had lost is taken back too); refused: not a grant this
     * server signed for this device (`reason` says why), nothing stored.
     */
    status: z.enum(['restored', 'known', 'refused']),
    reason: z.string().optional(),
  })),
});
