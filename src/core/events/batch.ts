import { z } from 'zod';
import { MAX_EVENTS_PER_BATCH } from './limits.ts';
import { fieldIssues, MISSING_IS_REQUIRED, type ParseResult } from './parse.ts';
import { DeviceEventSchema, type DeviceEvent } from './schema.ts';

/**
 * A batch of events one device pushes to the server: its outbox in seq order.
 * Strictly increasing seqs and distinct ids are checked here so that the
 * server can refuse a garbled batch whole instead of storing part of it.
 * (Gaps between batches are the server's to notice: it knows the last seq it
 * stored for the device.)
 */
export const EventBatchSchema = z.array(DeviceEventSchema)
  .max(MAX_EVENTS_PER_BATCH, `at most ${MAX_EVENTS_PER_BATCH} events per batch`)
  .superRefine((events, ctx) => {
    const ids = new Set<string>();
    events.forEach((event, index) => {
      const previous = events[index - 1];
      if (previous !== undefined && event.seq <= previous.seq) {
        ctx.addIssue({ code: 'custom', message: `seq must increase: ${event.seq} follows ${previous.seq}`, path: [index, 'seq'] });
      }
      if (ids.has(event.id)) ctx.addIssue({ code: 'custom', message: 'the same event id appears twice in the batch', path: [index, 'id'] });
      ids.add(event.id);
    });
  });

/** Validates a pushed batch. Never throws; issue paths start with the event's index ("[3].payload.count"). */
export function parseEventBatch(input: unknown): ParseResult<DeviceEvent[]> {
  const result = EventBatchSchema.safeParse(input, MISSING_IS_REQUIRED);
  return result.success ? { ok: true, value: result.data } : { ok: false, issues: fieldIssues(result.error) };
}
