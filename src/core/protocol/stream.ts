import { z } from 'zod';
import { Instant } from './fields.ts';
import { SignedDeviceGrantSchema } from './signed-payloads.ts';

/**
 * The device's live stream (Server-Sent Events): each event's name and what
 * its data holds. On connect the server sends every grant currently reaching
 * the device, then "ready", then changes as they happen; a comment line
 * every 15 s keeps the connection open.
 */

export const StreamReadySchema = z.object({
  serverTime: Instant,
  deviceId: z.string(),
  /** How many grants were sent before it. */
  grants: z.number().int().nonnegative(),
});

/** The device's signed schedule changed (consents, timetable, assignment): pull it now rather than within 15 minutes. */
export const StreamRefreshSchema = z.object({ reason: z.string() });

export const STREAM_MESSAGES = {
  /** A grant reaching the device, signed for it (the device verifies it before it parses it). */
  grant: SignedDeviceGrantSchema,
  /** The same signed grant with `grant.revokedAt` set. */
  revocation: SignedDeviceGrantSchema,
  ready: StreamReadySchema,
  refresh: StreamRefreshSchema,
} as const;

export type StreamEventName = keyof typeof STREAM_MESSAGES;
export type StreamMessage<E extends StreamEventName> = z.input<(typeof STREAM_MESSAGES)[E]>;

export function isStreamEvent(name: string): name is StreamEventName {
  return Object.hasOwn(STREAM_MESSAGES, name);
}
