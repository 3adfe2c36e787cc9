import type { DeviceEvent } from '../../../core/events/schema.ts';
import {
  DEVICE_PATHS, EventsBody, GrantListSchema, GrantRestoreBody, GrantRestoreReplySchema, HeartbeatBody, HeartbeatReplySchema, IngestReplySchema, SignedCatalogSchema, SignedScheduleSchema,
  type StreamEventName, type StreamMessage,
} from '../../../core/protocol/index.ts';
import { SseStream } from '../../http/sse.ts';
import { restoreGrants } from '../../services/grant-restore.ts';
import { servicesOf } from '../context.ts';
import { reachOf, signedGrantFor, signedScheduleFor } from '../device-delivery.ts';
import type { GrantChange, Subscriber } from '../grant-hub.ts';
import { defineRoute, DEVICE, type AnyRoute } from '../route.ts';

/** What an enrolled device calls, with its bearer credential: heartbeat, schedule, grants, events and the live stream. */

/**
 * How often a live connection re-reads its student's groups: a roster change
 * (a student moved to another class) reaches the push within this time; the
 * device's regular pull catches anything in between.
 */
export const REACH_REFRESH_MS = 5 * 60_000;

/** A batch of 500 events is well under 1 MiB (the event schema bounds every field); 2 MiB leaves room for JSON overhead. */
export const EVENT_BATCH_BODY_LIMIT = 2 * 1024 * 1024;

const heartbeat = defineRoute({
  method: 'POST',
  path: DEVICE_PATHS.heartbeat,
  tag: 'device',
  summary: "The device is alive (and enforcing); optionally with what it reports about itself. Answers the server's time.",
  access: DEVICE,
  body: HeartbeatBody.optional(),
  reply: { kind: 'json', status: 200, schema: HeartbeatReplySchema, description: 'Server time and the last stored event seq.' },
  async handle({ principal, body, scope }, api) {
    const { device } = principal;
    if (body?.report !== undefined) await api.store.updateDeviceReport(device.id, body.report, scope.now);
    await api.store.recordDeviceContact(device.id, scope.now);
    return {
      serverTime: scope.now,
      lastEventSeq: device.lastEventSeq,
      clockOffsetMs: body?.sentAt === undefined ? null : body.sentAt - scope.now,
    };
  },
});

const schedule = defineRoute({
  method: 'GET',
  path: DEVICE_PATHS.schedule,
  tag: 'device',
  summary: "The device's lessons for the next 14 days, signed (Ed25519) with the server key for this device.",
  access: DEVICE,
  reply: { kind: 'json', status: 200, schema: SignedScheduleSchema, description: 'The signed schedule.' },
  async handle({ principal, scope }, api) {
    await api.store.recordDeviceContact(principal.device.id, scope.now);
    return signedScheduleFor(api, principal.device, scope.now);
  },
});

const catalog = defineRoute({
  method: 'GET',
  path: DEVICE_PATHS.catalog,
  tag: 'device',
  summary: "The school's app and site catalog (bundled or IT's newer one, with the school's additions), signed (Ed25519) with the server key.",
  description: 'The same for every laptop of this server, signed once at the server\'s start. The signed schedule names its version and SHA-256; '
    + 'a laptop fetches it when its own catalog differs, and refuses one signed before the catalog it uses.',
  access: DEVICE,
  reply: { kind: 'json', status: 200, schema: SignedCatalogSchema, description: 'The signed catalog.' },
  async handle(_request, api) {
    return api.signedCatalog;
  },
});

const grants = defineRoute({
  method: 'GET',
  path: DEVICE_PATHS.grants,
  tag: 'device',
  summary: 'The grants reaching this device that have not expired (revoked ones included, so it learns), each signed for this device.',
  access: DEVICE,
  reply: { kind: 'json', status: 200, description: 'Signed grants.', schema: GrantListSchema },
  async handle({ principal, scope }, api) {
    const records = await api.store.grantsForDevice(principal.device.id, scope.now);
    return { serverTime: scope.now, grants: records.map((r) => signedGrantFor(api, r, principal.device.id, scope.now)) };
  },
});

const events = defineRoute({
  method: 'POST',
  path: DEVICE_PATHS.events,
  tag: 'device',
  summary: 'A batch of events from the outbox: each stored exactly once (by event id); malformed ones are rejected alone and the valid rest kept.',
  description: 'An exception.applied event is how a device reports that a grant took effect for its student: the teacher portal counts the device '
    + 'as having applied it (the earliest time logged) when the grant reaches the device.',
  access: DEVICE,
  body: EventsBody,
  bodyLimit: EVENT_BATCH_BODY_LIMIT,
  reply: { kind: 'json', status: 200, schema: IngestReplySchema, description: 'One outcome per event, in order.' },
  async handle({ principal, body, scope }, api) {
    // The store checks every event against the core schema itself and rejects the bad ones one by one.
    const result = await api.store.ingestEvents(principal.device.id, body.events as DeviceEvent[], scope.now);
    await api.store.recordDeviceContact(principal.device.id, scope.now);
    return { ...result, outcomes: result.outcomes.map((o) => (o.status === 'rejected' ? { ...o, issues: [...o.issues] } : o)) };
  },
});

/** At most MAX_GRANTS_PER_RESTORE envelopes of a few KiB each (the grant schema bounds every field). */
export const GRANT_RESTORE_BODY_LIMIT = 2 * 1024 * 1024;

const grantsRestore = defineRoute({
  method: 'POST',
  path: DEVICE_PATHS.grantsRestore,
  tag: 'device',
  summary: 'After a restore from a backup: the laptop gives back the grants it holds, as this server signed them for it; lost ones are kept again.',
  description: 'Sent by a laptop once its event push or heartbeat showed the server lost events. Each envelope is believed only by this server\'s signature, '
    + 'only when signed for the calling device and its school: a grant the server lost is stored again as it was issued (issuer, reason, scope, '
    + 'articles, whom it reached; a revocation the envelope carries too), audited as restored by this laptop, and its acknowledgements are counted '
    + 'again from the events held. A grant the server has is "known"; anything else is "refused" and changes nothing.',
  access: DEVICE,
  body: GrantRestoreBody,
  bodyLimit: GRANT_RESTORE_BODY_LIMIT,
  reply: { kind: 'json', status: 200, schema: GrantRestoreReplySchema, description: 'One outcome per grant, in order.' },
  async handle({ principal, body, scope }, api) {
    const outcomes = await restoreGrants(servicesOf(api), principal.device, body.grants, api.signer.publicKeyPem, scope.now);
    await api.store.recordDeviceContact(principal.device.id, scope.now);
    return { outcomes };
  },
});

const stream = defineRoute({
  method: 'GET',
  path: DEVICE_PATHS.stream,
  tag: 'device',
  summary: 'Server-Sent Events: "grant" and "revocation" events (data: a grant signed for this device) as they happen, and "refresh" when its schedule changed.',
  description: 'On connect the device first gets every grant currently reaching it, then a "ready" event, then live changes. '
    + 'A comment line every 15 s keeps the connection open.',
  access: DEVICE,
  reply: { kind: 'stream', contentTypes: ['text/event-stream'], description: 'The event stream.' },
  async handle({ principal, scope }, api) {
    const { device } = principal;
    const sse = new SseStream(scope.res);
    // Typed by the protocol's stream messages, so the server cannot send what the device does not read.
    const message = <E extends StreamEventName>(event: E, data: StreamMessage<E>, id?: string) => sse.send(event, data, id);
    const send = (change: GrantChange) => message(change.kind, signedGrantFor(api, change.record, device.id, api.clock()), change.record.grant.id);
    // Re-read the device too: an admin may have assigned it to another student since it connected.
    const rereadReach = () => api.store.device(device.id)
      .then(async (current) => {
        // Revoked by another process (the CLI): this process's hub was not told, so the stream ends here.
        if (current?.revokedAt != null) {
          sse.close();
          return;
        }
        subscriber.reach = await reachOf(api, current ?? device);
      })
      .catch((error: unknown) => scope.log.warn('reach refresh failed', { error: String(error) }));
    const subscriber: Subscriber = {
      reach: await reachOf(api, device), deliver: send, close: () => sse.close(),
      refresh: (reason) => {
        message('refresh', { reason });
        void rereadReach();
      },
    };
    // Subscribe before reading the current grants, so a grant made in between is sent (perhaps twice; applying is idempotent) and never missed.
    const unsubscribe = api.hub.subscribe(subscriber);
    const refresh = setInterval(() => void rereadReach(), REACH_REFRESH_MS);
    refresh.unref();
    sse.onClose(() => {
      unsubscribe();
      clearInterval(refresh);
    });
    try {
      // Revoked between authentication and subscribing: the revocation's closeDevice may have missed this stream.
      if ((await api.store.device(device.id))?.revokedAt != null) {
        sse.close();
        return;
      }
      const current = await api.store.grantsForDevice(device.id, scope.now);
      for (const record of current) send({ kind: record.revokedAt === null ? 'grant' : 'revocation', record });
      message('ready', { serverTime: scope.now, deviceId: device.id, grants: current.length });
      await api.store.recordDeviceContact(device.id, scope.now);
    } catch (error) {
      sse.close();
      throw error;
    }
    await new Promise<void>((resolve) => sse.onClose(resolve));
  },
});

export const deviceRoutes: readonly AnyRoute[] = [heartbeat, schedule, catalog, grants, grantsRestore, events, stream];
