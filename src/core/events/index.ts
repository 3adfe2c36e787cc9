export {
  BLOCK_EVENT_TYPES,
  DeviceEventSchema,
  EVENT_TYPES,
  NewEventSchema,
  type BlockEvent,
  type BlockEventType,
  type DeviceEvent,
  type EventOfType,
  type EventType,
  type NewEvent,
  type PayloadOf,
} from './schema.ts';
export { KNOWN_ENFORCEMENT_REASONS, KNOWN_TAMPER_KINDS } from './payloads.ts';
export { LessonRef } from './fields.ts';
export { describeIssues, parseEvent, parseNewEvent, type FieldIssue, type ParseResult } from './parse.ts';
export { EventBatchSchema, parseEventBatch } from './batch.ts';
export * as EVENT_LIMITS from './limits.ts';
