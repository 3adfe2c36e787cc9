import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { z } from 'zod';
import { CaptureKindSchema, CategorySchema } from '../../core/categories.ts';
import { GrantSchema } from '../../core/grants/grant.ts';
import { formatLocalTime, instantToLocal } from '../../core/time/zoned.ts';
import { SyncError } from '../sync/server-client.ts';
import type { SyncClient } from '../sync/sync-client.ts';
import type { Logger } from './logger.ts';
import type { AgentStatus } from './status-file.ts';

/**
 * The agent's local door for the people at the laptop: `lesmodus agent
 * unlock` now, the tray later. It runs as the student (or the teacher at the
 * student's session), so it cannot read the device credential; the agent
 * holds that and forwards the request. One JSON line in, one JSON line out.
 * Anyone on the laptop may knock: what opens it is a teacher's password,
 * which the server checks (and rate limits).
 */

export const DEFAULT_CONTROL_SOCKET = process.platform === 'win32' ? '\\\\.\\pipe\\lesmodus-agent' : '/var/run/lesmodus/agent.sock';
/** A request is a few hundred bytes; anything this long is not one. */
export const MAX_REQUEST_BYTES = 16 * 1024;
/** A client that has not sent its line in this long is hung up on. */
const REQUEST_TIMEOUT_MS = 30_000;

export const ControlRequestSchema = z.discriminatedUnion('type', [
  // What the agent enforces now and why: for the student's tray and `lesmodus agent status` (the data dir is not theirs to read).
  z.strictObject({ type: z.literal('status') }),
  z.strictObject({
    type: z.literal('unlock'),
    teacher: z.string().trim().min(1, 'give the teacher\'s username').max(64),
    password: z.string().min(1, 'give the password').max(1_024),
    reason: z.string().trim().min(3, 'give the educational purpose (art. III.A.3)').max(500),
    allow: z.strictObject({
      categories: z.array(CategorySchema).max(8).default([]),
      services: z.array(z.string().min(1).max(64)).max(32).default([]),
      capture: z.array(CaptureKindSchema).max(3).default([]),
    }).refine((a) => a.categories.length + a.services.length + a.capture.length > 0, { message: 'allow at least one category, service or capture kind' }),
  }),
]);
export type ControlRequest = z.infer<typeof ControlRequestSchema>;

export type ControlErrorCode = 'not-ready' | 'no-consent' | 'invalid-request' | 'no-server' | 'wrong-password' | 'too-many-attempts' | 'not-allowed' | 'no-lesson' | 'offline' | 'rejected';

export type ControlReply =
  | { readonly ok: true; readonly grantId: string; readonly expiresAt: number; readonly message: { readonly nl: string; readonly en: string } }
  | { readonly ok: true; readonly status: AgentStatus }
  | { readonly ok: false; readonly code: ControlErrorCode; readonly message: { readonly nl: string; readonly en: string } };

export interface ControlDeps {
  /** The agent's current status (what the status file holds); undefined before its first decision. */
  readonly status: () => AgentStatus | undefined;
  /** Null when the config names no server: a teacher then unlocks in the portal only. */
  readonly sync: Pick<SyncClient, 'unlock'> | null;
  readonly timeZone: string;
  readonly log: Logger;
}

function failure(code: ControlErrorCode, nl: string, en: string): ControlReply {
  return { ok: false, code, message: { nl, en } };
}

function fromSyncError(error: SyncError): ControlReply {
  const detail = error.message.replace(/^[^:]*: the server answered \d+:? ?/, '');
  switch (error.status) {
    case 401: return failure('wrong-password', 'Onbekende gebruikersnaam of onjuist wachtwoord.', 'Wrong username or password.');
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
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`).join('; ');
    return failure('invalid-request', `Het verzoek klopt niet: ${issues}`, `Invalid request: ${issues}`);
  }
  const request = parsed.data;
  if (request.type === 'status') {
    const status = deps.status();
    return status === undefined ? failure('not-ready', 'De agent start nog; probeer het zo opnieuw.', 'The agent is still starting; try again in a moment.') : { ok: true, status };
  }
  if (deps.sync === null) {
    return failure('no-server', 'Deze laptop is niet met een schoolserver verbonden: ontgrendelen op de laptop kan niet.', 'This laptop is not connected to a school server: unlocking on the laptop is not available.');
  }
  try {
    const { outcome, signed } = await deps.sync.unlock({ username: request.teacher, password: request.password, allow: request.allow, reason: request.reason });
    if (outcome.status === 'rejected') {
      deps.log.error(`unlock: the server's grant was rejected (${outcome.reason})`);
      return failure('rejected', 'De uitzondering van de server is niet geldig en is niet toegepast (gemeld).', `The server's grant was not valid and was not applied (${outcome.reason}).`);
    }
    const grant = GrantSchema.parse((signed as { payload: { grant: unknown } }).payload.grant);
    const until = formatLocalTime(instantToLocal(grant.expiresAt, deps.timeZone));
    const allowed = [...grant.allow.categories, ...grant.allow.services, ...grant.allow.capture].join(', ');
    deps.log.info(`unlock: ${request.teacher} allowed ${allowed} on this laptop until ${until}`);
    return {
      ok: true, grantId: grant.id, expiresAt: grant.expiresAt,
      message: { nl: `Toegestaan tot ${until}: ${allowed} (door ${request.teacher}).`, en: `Allowed until ${until}: ${allowed} (by ${request.teacher}).` },
    };
  } catch (error) {
    if (error instanceof SyncError) {
      deps.log.warn(`unlock by ${request.teacher} failed: ${error.message}`);
      return fromSyncError(error);
    }
    deps.log.error(`unlock by ${request.teacher} failed: ${(error as Error).message}`);
    return failure('offline', 'Ontgrendelen is mislukt; probeer het opnieuw of gebruik het docentenportaal.', `Unlocking failed: ${(error as Error).message}`);
  }
}

function serve(socket: Socket, deps: ControlDeps): void {
  let buffered = '';
  let answered = false;
  const answer = (reply: ControlReply) => {
    if (!socket.destroyed) socket.end(`${JSON.stringify(reply)}\n`);
  };
  const handleLine = (line: string) => {
    answered = true;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      answer(failure('invalid-request', 'Het verzoek is geen JSON.', 'The request is not JSON.'));
      return;
    }
    void handleControlRequest(raw, deps).then(answer);
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
      answer(failure('invalid-request', 'Het verzoek is te lang.', 'The request is too long.'));
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
export async function startControlSocket(path: string, deps: ControlDeps): Promise<Server> {
  // Half-open: a client may end its side after the request and still read the answer.
  const server = createServer({ allowHalfOpen: true }, (socket) => serve(socket, deps));
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
  // The student's session (the tray, the unlock command) must reach it; the teacher's password is the lock.
  if (process.platform !== 'win32') chmodSync(path, 0o666);
  return server;
}
