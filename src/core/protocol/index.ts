/**
 * The device API, declared once: the server's routes validate with these
 * schemas (and its OpenAPI document is generated from them), and the agent's
 * sync client builds its requests and checks the answers with the same ones.
 */
export { GrantAudienceSchema } from './audience.ts';
export {
  EventsBody, GrantListSchema, GrantRestoreBody, GrantRestoreReplySchema, MAX_GRANTS_PER_RESTORE, HeartbeatBody, HeartbeatReplySchema, IngestReplySchema, ReceivedGrantListSchema,
} from './device-calls.ts';
export { DeviceReportSchema, EnrollBody, EnrolledSchema, type DeviceReport } from './enrollment.ts';
export { AllowInput, ReasonSchema } from './exception-input.ts';
export { Instant, Key, Label, text } from './fields.ts';
export { DEVICE_PATHS } from './paths.ts';
export {
  CATALOG_TYPE, CatalogPayloadSchema, CatalogRefSchema, SignedCatalogSchema, type CatalogPayload, type CatalogRef,
  ConsentIntervalSchema, DEVICE_GRANT_TYPE, DeviceGrantPayloadSchema, SCHEDULE_TYPE, SchedulePayloadSchema, SignedDeviceGrantSchema,
  SignedEnvelopeSchema, SignedScheduleSchema, signedSchema, type ConsentInterval, type DeviceGrantPayload, type SchedulePayload,
} from './signed-payloads.ts';
export { isStreamEvent, STREAM_MESSAGES, StreamReadySchema, StreamRefreshSchema, type StreamEventName, type StreamMessage } from './stream.ts';
export { UnlockBody, type UnlockRequest } from './unlock.ts';
