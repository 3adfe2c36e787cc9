import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { GrantSchema } from '../../core/grants/grant.ts';
import { formatLocalTime, instantToLocal } from '../../core/time/zoned.ts';
import { SyncError } from '../sync/server-client.ts';
import type { SyncClient } from '../sync/sync-client.ts';
import type { Logger } from '../runtime/logger.ts';
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
/** A client that has not sent its request line in this long is hung up on (a real one sends it at once). */
const REQUEST_TIMEOUT_MS = 5_000;
/**
 * Open connections at once. A laptop has one tray per logged-in user and a
 * command now and then; the rest would be a flood. Beyond it the kernel's
 * backlog holds new ones briefly and Node closes them, so descriptors stay
 * free for /proc (the guard) and the store.
 */
export const MAX_CONNECTIONS = 64;
/** Live `subscribe` streams at once (trays of every session, with room for restarts). */
export const MAX_SUBSCRIBERS = 16;
/** A subscriber that stops reading is cut off once this much waits for it, rather than held in the agent's memory. */
const MAX_BUFFERED_BYTES = 256 * 1024;

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

/** Keeps a subscriber's line open: the status now, then every change and notice, until either side hangs up. */
function stream(socket: Socket, deps: ControlDeps, subscribers: Set<Socket>): void {
  const refuse = (reply: Failure) => {
    socket.end(`${JSON.stringify(reply)}\n`);
  };
  if (deps.subscribe === undefined) {
    refuse(failure('invalid-request', 'Deze agent kent geen abonnement.', 'This agent does not offer subscribe.'));
    return;
  }
  if (subscribers.size >= MAX_SUBSCRIBERS) {
    refuse(failure('busy', 'Te veel vensters volgen de agent al; probeer het zo opnieuw.', 'Too many subscribers; try again shortly.'));
    return;
  }
  subscribers.add(socket);
  socket.setTimeout(0);
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
    subscribers.delete(socket);
  });
}

function serve(socket: Socket, deps: ControlDeps, subscribers: Set<Socket>): void {
  let buffered = '';
  let answered = false;
  const reply = (message: ControlReply) => {
    if (!socket.destroyed) socket.end(`${JSON.stringify(message)}\n`);
  };
  const handleLine = (line: string) => {
    answered = true;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      reply(failure('invalid-request', 'Het verzoek is geen JSON.', 'The request is not JSON.'));
      return;
    }
    const parsed = ControlRequestSchema.safeParse(raw);
    if (parsed.success && parsed.data.type === 'subscribe') return stream(socket, deps, subscribers);
    void answer(parsed, deps).then(reply);
  };
  socket.setEncoding('utf8');
  socket.setTimeout(REQUEST_TIMEOUT_MS, () => socket.destroy());
  socket.on('data', (chunk: string) => {
    if (answered) return;
    buffered += chunk;
    const newline = buffered.indexOf('\n');
    if (newline >= 0) handleLine(buffered.slice(0, newline));
    else if (buffered.length > MAX_REQUEST_BYTES) {
      answered = true;
      reply(failure('invalid-request', 'Het verzoek is te lang.', 'The request is too long.'));
    }
  });
  // A client that half-closes without a newline still gets its answer.
  socket.on('end', () => {
    if (!answered && buffered.trim() !== '') handleLine(buffered);
  });
  socket.on('error', () => socket.destroy());
}

/**
 * Listens on `path` (a Unix socket anyone on the laptop may connect to, or a
 * Windows named pipe). Resolves with the server; rejects when it cannot listen.
 */
export interface ControlSocket {
  /** Stops listening and ends every subscriber's stream. */
  close(): Promise<void>;
}

export async function startControlSocket(path: string, deps: ControlDeps): Promise<ControlSocket> {
  const subscribers = new Set<Socket>();
  // Half-open: a client may end its side after the request and still read the answer.
  const server = createServer({ allowHalfOpen: true }, (socket) => serve(socket, deps, subscribers));
  server.maxConnections = MAX_CONNECTIONS;
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
      server.close(() => resolve());
      // Streams never end by themselves: without this, close would wait for every tray.
      for (const socket of subscribers) socket.destroy();
    }),
  };
}
