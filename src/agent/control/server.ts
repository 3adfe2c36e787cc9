import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { GrantSchema } from '../../core/grants/grant.ts';
import { formatLocalTime, instantToLocal } from '../../core/time/zoned.ts';
import { SyncError } from '../sync/server-client.ts';
import type { SyncClient } from '../sync/sync-client.ts';
import type { Logger } from '../runtime/logger.ts';
import { ConnectionLimits, UNKNOWN_PEER, type PeerKey } from './connection-limits.ts';
import { PeerIdentifier, type PeerLookup } from './peer-identifier.ts';
import { parseSsUnix, peerUids, realUidOf, runSs, socketInode } from './peer-uid.linux.ts';
import {
  ControlRequestSchema, defaultControlSocket, MAX_REQUEST_BYTES,
  type AgentStatus, type ControlErrorCode, type ControlReply, type Failure, type StatusReply, type SubscribeLine, type UnlockReply,
} from './protocol.ts';

/**
 * The agent's local door for the people at the laptop: the tray and
 * `lesmodus agent status|unlock`. It runs as the student (or the teacher at
 * the student's session), so it cannot read the device credential; the agent
 * holds that and forwards the request. One JSON line in, one JSON line out;
 * `subscribe` keeps the line open and the agent writes a line per change.
 * Anyone on the laptop may knock, so what it costs the agent is bounded:
 * a student holding thousands of idle connections must not starve the
 * process guard of file descriptors.
 */

export const DEFAULT_CONTROL_SOCKET = defaultControlSocket(process.platform);
/**
 * From connecting to the end of the request line. Counted from the connect,
 * not from the last byte: a client sending a byte every few seconds would
 * otherwise hold its connection for hours. A real client sends at once.
 */
const REQUEST_DEADLINE_MS = 5_000;
/** From connecting to the end of the answer: an unlock waits for the school server, whose requests time out after 30 s. */
const ANSWER_DEADLINE_MS = 40_000;
/**
 * Open connections at once, all users together. A laptop has one tray per
 * logged-in user and a command now and then; the rest would be a flood.
 * Beyond it Node closes new connections at once, so descriptors stay free
 * for /proc (the guard) and the store.
 */
export const MAX_CONNECTIONS = 64;
/** Open connections one user (peer uid) may hold: a student's flood leaves room for root and for other users' trays. */
export const MAX_CONNECTIONS_PER_USER = 16;
/** Live `subscribe` streams at once (trays of every session, with room for restarts). */
export const MAX_SUBSCRIBERS = 16;
/** Live streams one user may hold: a tray, the one it is restarting into, and a spare. Streams have no deadline, so this is what bounds them. */
export const MAX_SUBSCRIBERS_PER_USER = 3;
/** A subscriber that stops reading is cut off once this much waits for it, rather than held in the agent's memory. */
const MAX_BUFFERED_BYTES = 256 * 1024;
/** A user refused for holding too much is reported (log, and tamper through onFlood) at most this often. */
const FLOOD_REPORT_EVERY_MS = 10 * 60_000;

export interface ControlDeps {
  /** The agent's current status, from memory; undefined before its first decision. */
  readonly status: () => AgentStatus | undefined;
  /** Calls `send` with every new status and notice until the returned function is called. */
  readonly subscribe?: (send: (line: SubscribeLine) => void) => () => void;
  /** Null when the config names no server: a teacher then unlocks in the portal only. */
  readonly sync: Pick<SyncClient, 'unlock'> | null;
  readonly timeZone: string;
  readonly log: Logger;
}

function failure(code: ControlErrorCode, nl: string, en: string): Failure {
  return { ok: false, code, message: { nl, en } };
}

function fromSyncError(error: SyncError): Failure {
  const detail = error.message.replace(/^[^:]*: the server answered \d+:? ?/, '');
  switch (error.status) {
    case 401: return failure('wrong-code', 'Deze code klopt niet (meer). Vraag de docent om de code die nu in het docentenportaal staat.', 'This code is wrong or has expired. Ask the teacher for the code the teacher portal shows now.');
    case 429: return failure('too-many-attempts', `Te veel mislukte pogingen; probeer het later opnieuw. ${detail}`, `Too many failed attempts. ${detail}`);
    case 403: return failure('not-allowed', `Dit mag u hier niet ontgrendelen: ${detail}`, `Not allowed: ${detail}`);
    case 409: return error.code === 'consent-missing'
      ? failure('no-consent', 'Deze leerling heeft voor dit schooljaar geen toestemming voor social media geregistreerd (art. III.B.9): een uitzondering zou niets opheffen. Laat de toestemming eerst registreren.', `No consent: ${detail}`)
      : failure('no-lesson', `Geen les om te ontgrendelen: ${detail}`, `No lesson to unlock: ${detail}`);
    case 400: return failure('invalid-request', `Het verzoek klopt niet: ${detail}`, `Invalid request: ${detail}`);
    default: return failure('offline', 'De schoolserver is niet bereikbaar. Verleen de uitzondering in het docentenportaal.', `The school server cannot be reached (${error.message}). Grant the exception in the teacher portal.`);
  }
}

/** Handles one request; never throws (every failure is an answer the person at the laptop can act on). */
export async function handleControlRequest(raw: unknown, deps: ControlDeps): Promise<ControlReply> {
  const parsed = ControlRequestSchema.safeParse(raw);
  if (parsed.success && parsed.data.type === 'subscribe') return failure('invalid-request', 'Abonneren kan alleen op een open verbinding.', 'subscribe needs an open connection.');
  return answer(parsed, deps);
}

function statusReply(deps: ControlDeps): StatusReply {
  const status = deps.status();
  return status === undefined ? failure('not-ready', 'De agent start nog; probeer het zo opnieuw.', 'The agent is still starting; try again in a moment.') : { ok: true, status };
}

async function answer(parsed: ReturnType<typeof ControlRequestSchema.safeParse>, deps: ControlDeps): Promise<ControlReply> {
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`).join('; ');
    return failure('invalid-request', `Het verzoek klopt niet: ${issues}`, `Invalid request: ${issues}`);
  }
  const request = parsed.data;
  if (request.type === 'status') return statusReply(deps);
  if (request.type === 'subscribe') return failure('invalid-request', 'Abonneren kan alleen op een open verbinding.', 'subscribe needs an open connection.');
  if (deps.sync === null) {
    return failure('no-server', 'Deze laptop is niet met een schoolserver verbonden: ontgrendelen op de laptop kan niet.', 'This laptop is not connected to a school server: unlocking on the laptop is not available.');
  }
  try {
    const { outcome, signed } = await deps.sync.unlock({ code: request.code, allow: request.allow, reason: request.reason });
    if (outcome.status === 'rejected') {
      deps.log.error(`unlock: the server's grant was rejected (${outcome.reason})`);
      return failure('rejected', 'De uitzondering van de server is niet geldig en is niet toegepast (gemeld).', `The server's grant was not valid and was not applied (${outcome.reason}).`);
    }
    const grant = GrantSchema.parse((signed as { payload: { grant: unknown } }).payload.grant);
    const until = formatLocalTime(instantToLocal(grant.expiresAt, deps.timeZone));
    const allowed = [...grant.allow.categories, ...grant.allow.services, ...grant.allow.capture].join(', ');
    const teacher = grant.issuedBy.name ?? grant.issuedBy.teacherCode ?? grant.issuedBy.username;
    deps.log.info(`unlock: ${grant.issuedBy.username} allowed ${allowed} on this laptop until ${until}`);
    const reply: UnlockReply = {
      ok: true, grantId: grant.id, expiresAt: grant.expiresAt,
      message: { nl: `Toegestaan tot ${until}: ${allowed} (door ${teacher}).`, en: `Allowed until ${until}: ${allowed} (by ${teacher}).` },
    };
    return reply;
  } catch (error) {
    if (error instanceof SyncError) {
      deps.log.warn(`unlock with a code failed: ${error.message}`);
      return fromSyncError(error);
    }
    deps.log.error(`unlock with a code failed: ${(error as Error).message}`);
    return failure('offline', 'Ontgrendelen is mislukt; probeer het opnieuw of gebruik het docentenportaal.', `Unlocking failed: ${(error as Error).message}`);
  }
}


/** How the socket tells its callers apart and what it may hold (see startControlSocket). */
export interface ControlSocketOptions {
  /**
   * Whose connections are, by our side's socket inode. Default: the peer uid
   * from `ss` on Linux (peer-uid.linux.ts); none elsewhere, where only the
   * totals apply. Null: identify nobody.
   */
  readonly peers?: PeerLookup | null;
  /** The user a uid counts as: a student's subordinate uids (a user namespace) are the student's. Default: itself. */
  readonly ownerOf?: (uid: number) => number;
  /** Connections granted by the agent's descriptor budget (fd-budget.ts); never more than MAX_CONNECTIONS. */
  readonly maxConnections?: number;
  /** A user held the most they may and asked for more: the agent logs it as tamper (at most every 10 minutes per user). */
  readonly onFlood?: (detail: string) => void;
}

/** What every connection shares: the limits, who is streaming, and how callers are told apart. */
interface Shared {
  readonly deps: ControlDeps;
  readonly connections: ConnectionLimits;
  readonly subscribers: ConnectionLimits;
  readonly streams: Set<Socket>;
  readonly identifier: PeerIdentifier | null;
  readonly ownerOf: (uid: number) => number;
  readonly refused: (key: PeerKey, what: Held) => void;
}

/** What a user can hold too much of. */
type Held = 'connections' | 'subscriptions';
const HELD_NL: Record<Held, string> = { connections: 'verbindingen', subscriptions: 'abonnementen' };
const busy = (what: Held) => failure('busy', `Te veel ${HELD_NL[what]} van deze gebruiker tegelijk; probeer het zo opnieuw.`, `Too many ${what} from this user at once; try again shortly.`);

/** Keeps a subscriber's line open: the status now, then every change and notice, until either side hangs up. */
function stream(socket: Socket, key: PeerKey, shared: Shared): void {
  const { deps, subscribers, streams } = shared;
  const refuse = (reply: Failure) => {
    socket.end(`${JSON.stringify(reply)}\n`);
  };
  if (deps.subscribe === undefined) {
    refuse(failure('invalid-request', 'Deze agent kent geen abonnement.', 'This agent does not offer subscribe.'));
    return;
  }
  if (!subscribers.tryTake(key)) {
    shared.refused(key, 'subscriptions');
    refuse(busy('subscriptions'));
    return;
  }
  streams.add(socket);
  const send = (line: SubscribeLine) => {
    if (socket.destroyed) return;
    if (socket.writableLength > MAX_BUFFERED_BYTES) return void socket.destroy();
    socket.write(`${JSON.stringify(line)}\n`);
  };
  const status = deps.status();
  if (status !== undefined) send({ type: 'status', status });
  const unsubscribe = deps.subscribe(send);
  // The tray hung up (its side ends): so does ours, and the agent stops writing to it.
  socket.once('end', () => socket.destroy());
  socket.once('close', () => {
    unsubscribe();
    streams.delete(socket);
    subscribers.release(key);
  });
}

/** Whose the connection is; UNKNOWN_PEER where that cannot be told. */
async function peerKey(socket: Socket, shared: Shared): Promise<PeerKey> {
  const inode = shared.identifier === null ? undefined : socketInode(socket);
  if (inode === undefined) return UNKNOWN_PEER;
  const uid = await shared.identifier!.identify(inode);
  return uid === undefined ? UNKNOWN_PEER : shared.ownerOf(uid);
}

function serve(socket: Socket, shared: Shared): void {
  let buffered = '';
  let line: string | undefined;
  let key: PeerKey | undefined;
  const reply = (message: ControlReply) => {
    if (!socket.destroyed) socket.end(`${JSON.stringify(message)}\n`);
  };
  const requestDeadline = setTimeout(() => socket.destroy(), REQUEST_DEADLINE_MS);
  const answerDeadline = setTimeout(() => socket.destroy(), ANSWER_DEADLINE_MS);
  // Handled once both are known: the whole request, and that its user may have this connection.
  const handle = () => {
    if (line === undefined || key === undefined || socket.destroyed) return;
    const request = line;
    let raw: unknown;
    try {
      raw = JSON.parse(request);
    } catch {
      reply(failure('invalid-request', 'Het verzoek is geen JSON.', 'The request is not JSON.'));
      return;
    }
    const parsed = ControlRequestSchema.safeParse(raw);
    if (parsed.success && parsed.data.type === 'subscribe') {
      // Long-lived by design: bounded by the per-user stream limit instead of a deadline.
      clearTimeout(answerDeadline);
      return stream(socket, key, shared);
    }
    void answer(parsed, shared.deps).then(reply);
  };
  const received = (text: string) => {
    if (line !== undefined) return;
    line = text;
    clearTimeout(requestDeadline);
    handle();
  };
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    if (line !== undefined) return;
    buffered += chunk;
    const newline = buffered.indexOf('\n');
    if (newline >= 0) received(buffered.slice(0, newline));
    else if (buffered.length > MAX_REQUEST_BYTES) {
      line = '';
      clearTimeout(requestDeadline);
      reply(failure('invalid-request', 'Het verzoek is te lang.', 'The request is too long.'));
    }
  });
  // A client that half-closes without a newline still gets its answer; one that hung up without asking is let go at once.
  socket.on('end', () => {
    if (line !== undefined) return;
    if (buffered.trim() !== '') received(buffered);
    else socket.destroy();
  });
  socket.on('error', () => socket.destroy());
  socket.once('close', () => {
    clearTimeout(requestDeadline);
    clearTimeout(answerDeadline);
  });
  void peerKey(socket, shared).then((peer) => {
    if (socket.destroyed) return;
    if (!shared.connections.tryTake(peer)) {
      shared.refused(peer, 'connections');
      line = '';
      reply(busy('connections'));
      return;
    }
    key = peer;
    socket.once('close', () => shared.connections.release(peer));
    handle();
  });
}

/** Stops listening and ends every subscriber's stream. */
export interface ControlSocket {
  close(): Promise<void>;
}

function defaultPeers(): PeerLookup | null {
  if (process.platform !== 'linux') return null;
  return async (inodes) => peerUids(inodes, parseSsUnix(await runSs()), realUidOf);
}

/** Root (IT at the laptop, the packaged service's own checks) is bounded by the totals only. */
const isRoot = (key: PeerKey) => key === 0;

/**
 * Listens on `path` (a Unix socket anyone on the laptop may connect to, or a
 * Windows named pipe). Resolves with the server; rejects when it cannot listen.
 */
export async function startControlSocket(path: string, deps: ControlDeps, options: ControlSocketOptions = {}): Promise<ControlSocket> {
  const total = Math.min(MAX_CONNECTIONS, options.maxConnections ?? MAX_CONNECTIONS);
  const peers = options.peers === undefined ? defaultPeers() : options.peers;
  let lookupFailed = false;
  const identifier = peers === null ? null : new PeerIdentifier(peers, (error) => {
    // Once per run of failures: without `ss` every caller counts as unknown and only the totals hold.
    if (!lookupFailed) deps.log.warn(`control socket: cannot tell callers apart (${(error as Error).message}); only the total limits apply`);
    lookupFailed = true;
  });
  const lastReported = new Map<PeerKey, number>();
  const shared: Shared = {
    deps, identifier,
    connections: new ConnectionLimits({ total, perUser: MAX_CONNECTIONS_PER_USER, exempt: isRoot }),
    subscribers: new ConnectionLimits({ total: MAX_SUBSCRIBERS, perUser: MAX_SUBSCRIBERS_PER_USER, exempt: isRoot }),
    streams: new Set(),
    ownerOf: options.ownerOf ?? ((uid) => uid),
    refused(key, what) {
      if (key === UNKNOWN_PEER) return;
      const now = performance.now();
      if (now - (lastReported.get(key) ?? Number.NEGATIVE_INFINITY) < FLOOD_REPORT_EVERY_MS) return;
      lastReported.set(key, now);
      const detail = `uid ${key} asked for more control socket ${what} than one user may hold; refused`;
      deps.log.warn(`control socket: ${detail}`);
      options.onFlood?.(detail);
    },
  };
  // Half-open: a client may end its side after the request and still read the answer.
  const server = createServer({ allowHalfOpen: true }, (socket) => serve(socket, shared));
  server.maxConnections = total;
  if (process.platform !== 'win32') {
    mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
    rmSync(path, { force: true }); // a socket left by an agent that was killed
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // The student's session (the tray, the unlock command) must reach it; what the agent does for a caller is checked per request.
  if (process.platform !== 'win32') chmodSync(path, 0o666);
  return {
    close: () => new Promise<void>((resolve) => {
      identifier?.close();
      server.close(() => resolve());
      // Streams never end by themselves: without this, close would wait for every tray.
      for (const socket of shared.streams) socket.destroy();
    }),
  };
}
