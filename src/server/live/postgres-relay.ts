import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { z } from 'zod';
import type { Logger } from '../http/logger.ts';
import type { GrantChange, LaptopNotifier, RefreshTarget } from '../services/service.ts';
import type { ServerStore } from '../store/index.ts';
import type { GrantHub } from '../api/grant-hub.ts';

// Several server processes share one PostgreSQL; a laptop streams from one of
// them. What one process changes (a grant, a revocation, a schedule to pull
// again, a revoked laptop) goes to its own streams at once and, through
// PostgreSQL's NOTIFY, to every other process, which tells its own streams.
// The notification carries ids only: each process reads the record itself,
// so nothing signed or personal travels over the channel, and a payload never
// outgrows NOTIFY's 8,000 bytes.

/**
 * The channel of one Lesmodus database: NOTIFY reaches every session of the
 * PostgreSQL database, so servers kept apart by schema (two foundations, or
 * test runs) each get their own channel.
 */
export function liveChannel(schema: string): string {
  return `lesmodus_live.${schema}`;
}

/** NOTIFY refuses payloads of 8,000 bytes or more; a refresh naming more students than fit is sent for the whole school. */
const PAYLOAD_LIMIT = 7_900;

const Id = z.string().min(1).max(200);

export const LiveMessageSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.enum(['grant', 'revocation']), origin: Id, grantId: Id }),
  z.object({ kind: z.literal('refresh'), origin: Id, schoolId: z.string().max(200), studentIds: z.array(Id).optional(), deviceId: Id.optional(), reason: z.string().max(100) }),
  z.object({ kind: z.literal('close'), origin: Id, deviceId: Id }),
]);
export type LiveMessage = z.infer<typeof LiveMessageSchema>;

/** The body of a refresh notification: the students dropped (whole school) when they would not fit. */
export function refreshMessage(origin: string, target: RefreshTarget, reason: string): LiveMessage {
  const base = { kind: 'refresh' as const, origin, schoolId: target.schoolId, reason, ...(target.deviceId !== undefined ? { deviceId: target.deviceId } : {}) };
  if (target.studentIds === undefined) return base;
  const withStudents = { ...base, studentIds: [...target.studentIds] };
  return JSON.stringify(withStudents).length <= PAYLOAD_LIMIT ? withStudents : base;
}

/** After the listening connection drops, it is made again after this long (doubling, up to the cap). */
const RECONNECT_FIRST_MS = 250;
const RECONNECT_MAX_MS = 10_000;

export interface PostgresRelayOptions {
  readonly connectionString: string;
  /** This process's own streams; null for a process without any (the command line). */
  readonly local: GrantHub | null;
  /** Where a grant named in a notification is read. */
  readonly store: Pick<ServerStore, 'grant'>;
  readonly logger: Pick<Logger, 'info' | 'warn'>;
}

/**
 * The LaptopNotifier of a server process on PostgreSQL: local streams first,
 * then NOTIFY for the others. Counts returned are this process's streams:
 * how many another process told is not known here.
 */
export class PostgresRelay implements LaptopNotifier {
  /** Tells this process's own notifications apart: they were delivered locally already. */
  readonly origin = randomUUID();
  readonly #options: PostgresRelayOptions;
  readonly #sender: pg.Pool;
  #listener: pg.Client | undefined;
  #closed = false;
  #reconnectMs = RECONNECT_FIRST_MS;
  #reconnectTimer: NodeJS.Timeout | undefined;
  /** Resolves once listening (again); tests and the server's start wait for it. */
  #ready: Promise<void> = Promise.resolve();
  /** Found on the first connection: the schema the tables are in names the channel. */
  #channel: Promise<string> | undefined;

  constructor(options: PostgresRelayOptions) {
    this.#options = options;
    // Two connections at most for sending: notifications are small and rare (a grant, a roster change).
    this.#sender = new pg.Pool({ connectionString: options.connectionString, max: 2, allowExitOnIdle: true });
    this.#sender.on('error', (error) => options.logger.warn('live relay: a sending connection failed', { error: error.message }));
  }

  /** Starts listening (only a process with streams of its own needs to). */
  start(): Promise<void> {
    if (this.#options.local === null) return Promise.resolve();
    this.#ready = this.#listen(false);
    return this.#ready;
  }

  /** Resolves when the relay listens (again, after a dropped connection). */
  ready(): Promise<void> {
    return this.#ready;
  }

  publish(change: GrantChange): void {
    this.#options.local?.publish(change);
    this.#notify({ kind: change.kind, origin: this.origin, grantId: change.record.grant.id });
  }

  refresh(target: RefreshTarget, reason: string): number {
    const told = this.#options.local?.refresh(target, reason) ?? 0;
    this.#notify(refreshMessage(this.origin, target, reason));
    return told;
  }

  closeDevice(deviceId: string): number {
    const closed = this.#options.local?.closeDevice(deviceId) ?? 0;
    this.#notify({ kind: 'close', origin: this.origin, deviceId });
    return closed;
  }

  /** Sends what is queued and stops listening. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#reconnectTimer);
    const listener = this.#listener;
    this.#listener = undefined;
    await listener?.end().catch(() => undefined);
    await this.#pending;
    await this.#sender.end().catch(() => undefined);
  }

  /** Notifications in flight, in order: close() waits for them so a command line's last one is not lost. */
  #pending: Promise<void> = Promise.resolve();

  #notify(message: LiveMessage): void {
    if (this.#closed) return;
    const payload = JSON.stringify(message);
    this.#pending = this.#pending.then(async () => this.#sender.query('SELECT pg_notify($1, $2)', [await this.#channelName(), payload]))
      .then(() => undefined, (error: Error) => {
        // The other processes' streams miss it; their devices still pull within 15 minutes.
        this.#options.logger.warn('live relay: could not tell the other server processes', { kind: message.kind, error: error.message });
      });
  }

  #channelName(): Promise<string> {
    this.#channel ??= this.#sender.query<{ schema: string }>('SELECT current_schema() AS schema').then((r) => liveChannel(r.rows[0]?.schema ?? 'public'));
    // A failed lookup is tried again next time.
    this.#channel.catch(() => { this.#channel = undefined; });
    return this.#channel;
  }

  async #listen(again: boolean): Promise<void> {
    const client = new pg.Client({ connectionString: this.#options.connectionString });
    client.on('error', () => this.#dropped(client));
    client.on('end', () => this.#dropped(client));
    let channel = '';
    client.on('notification', (note) => {
      if (note.channel === channel) void this.#received(note.payload ?? '');
    });
    try {
      channel = await this.#channelName();
      await client.connect();
      // The name is made from the schema, which the store accepted only as lowercase letters, digits and _.
      await client.query(`LISTEN "${channel}"`);
    } catch (error) {
      await client.end().catch(() => undefined);
      this.#options.logger.warn('live relay: cannot listen to the other server processes; retrying', { error: (error as Error).message });
      this.#scheduleReconnect();
      return;
    }
    if (this.#closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.#listener = client;
    this.#reconnectMs = RECONNECT_FIRST_MS;
    if (again) {
      // What the other processes said while this one was not listening is lost: every stream pulls once, and misses nothing.
      const told = this.#options.local?.refreshEveryone('live relay reconnected') ?? 0;
      this.#options.logger.info('live relay: listening again; streams told to pull', { streams: told });
    }
  }

  #dropped(client: pg.Client): void {
    if (this.#listener !== client || this.#closed) return;
    this.#listener = undefined;
    this.#options.logger.warn('live relay: lost the connection to PostgreSQL; reconnecting', {});
    void client.end().catch(() => undefined);
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    if (this.#closed) return;
    clearTimeout(this.#reconnectTimer);
    const delay = this.#reconnectMs;
    this.#reconnectMs = Math.min(this.#reconnectMs * 2, RECONNECT_MAX_MS);
    this.#ready = new Promise((resolve) => {
      this.#reconnectTimer = setTimeout(() => resolve(this.#listen(true)), delay);
      this.#reconnectTimer.unref();
    });
  }

  async #received(payload: string): Promise<void> {
    const local = this.#options.local;
    if (local === null) return;
    let message: LiveMessage;
    try {
      message = LiveMessageSchema.parse(JSON.parse(payload));
    } catch {
      this.#options.logger.warn('live relay: ignored a notification it cannot read', { bytes: payload.length });
      return;
    }
    if (message.origin === this.origin) return;
    switch (message.kind) {
      case 'grant':
      case 'revocation': {
        const record = await this.#options.store.grant(message.grantId).catch((error: unknown) => {
          this.#options.logger.warn('live relay: could not read a grant another process made', { error: String(error) });
          return null;
        });
        if (record) local.publish({ kind: message.kind, record });
        return;
      }
      case 'refresh':
        local.refresh({
          schoolId: message.schoolId,
          ...(message.studentIds ? { studentIds: new Set(message.studentIds) } : {}),
          ...(message.deviceId !== undefined ? { deviceId: message.deviceId } : {}),
        }, message.reason);
        return;
      case 'close':
        local.closeDevice(message.deviceId);
        return;
    }
  }
}
