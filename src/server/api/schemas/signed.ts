/**
 * What the server signs. The payloads it signs for devices (schedules,
 * grants) are part of the device API (src/core/protocol); this is the record
 * of issue kept with every grant (what the leader's detail view shows was
 * signed), which never leaves the server.
 */
export const ISSUED_GRANT_TYPE = 'lesmodus.issued-grant.v1';
