import { z } from 'zod';
import { CaptureKindSchema, CategorySchema } from '../../core/categories.ts';
import type { DecisionJson } from '../../core/policy/decision-json.ts';

/**
 * The agent's control socket, one contract for every process that talks to
 * it: the agent (server.ts), `lesmodus agent status|unlock` and the tray
 * (client.ts). One JSON object per line. Requests are checked by the agent,
 * replies by the client: a stale or foreign program may listen on the path.
 * Only zod and src/core here, so the Electron tray can import it without the
 * agent's runtime.
 */

/** A request is a few hundred bytes; anything this long is not one. */
export const MAX_REQUEST_BYTES = 16 * 1024;
/** A status is a few kilobytes; an answer (or a subscribe line) this long is not the agent's. */
export const MAX_REPLY_BYTES = 64 * MAX_REQUEST_BYTES;

export function defaultControlSocket(platform: string): string {
  return platform === 'win32' ? '\\\\.\\pipe\\lesmodus-agent' : '/var/run/lesmodus/agent.sock';
}

export const AllowSchema = z.strictObject({
  categories: z.array(CategorySchema).max(8).default([]),
  services: z.array(z.string().min(1).max(64)).max(32).default([]),
  capture: z.array(CaptureKindSchema).max(3).default([]),
}).refine((a) => a.categories.length + a.services.length + a.capture.length > 0, { message: 'allow at least one category, service or capture kind' });

export const ControlRequestSchema = z.discriminatedUnion('type', [
  // What the agent enforces now and why (the data dir is not the student's to read).
  z.strictObject({ type: z.literal('status') }),
  // The status at once, then every change and notice, one line each, until the client hangs up: the tray needs no polling.
  z.strictObject({ type: z.literal('subscribe') }),
  // A teacher unlocks with the code their portal shows for the lesson: never their password, which the student's session could capture.
  z.strictObject({
    type: z.literal('unlock'),
    code: z.string().trim().regex(/^\d{6}$/, 'give the six-digit code from the teacher portal'),
    reason: z.string().trim().min(3, 'give the educational purpose (art. III.A.3)').max(500),
    allow: AllowSchema,
  }),
]);
export type ControlRequest = z.infer<typeof ControlRequestSchema>;
/** What a client may send: defaults (an empty `allow.services`, say) may be left out. */
export type ControlRequestInput = z.input<typeof ControlRequestSchema>;

export const LocalizedSchema = z.object({ nl: z.string().max(4_000), en: z.string().max(4_000) });
export type Localized = z.infer<typeof LocalizedSchema>;

export const CONTROL_ERROR_CODES = [
  'not-ready', 'no-consent', 'invalid-request', 'no-server', 'wrong-code', 'too-many-attempts', 'not-allowed', 'no-lesson', 'offline', 'rejected', 'busy',
] as const;
export type ControlErrorCode = (typeof CONTROL_ERROR_CODES)[number];

/** How the agent's sync with the school server goes (null when it runs standalone). */
export const SyncStatusSchema = z.object({
  server: z.string(),
  deviceId: z.string().nullable(),
  lastPullAt: z.string().nullable(),
  lastPushAt: z.string().nullable(),
  /** Events written on the laptop that the server does not hold yet. */
  outbox: z.number().int(),
  /** Whether the live grant stream is connected now. */
  live: z.boolean(),
  clockOffsetMs: z.number().nullable(),
  lastError: z.string().nullable(),
});
export type SyncStatus = z.infer<typeof SyncStatusSchema>;

export const NoticeSchema = z.object({ at: z.string().max(64), nl: z.string().max(4_000), en: z.string().max(4_000) });
export type Notice = z.infer<typeof NoticeSchema>;

/**
 * Whether the agent stops the student's blocked apps, and whose. A root
 * service that knows no student (no --user, nobody at the console) stops
 * nothing, and the tray and `agent status` must not say it does.
 */
export const AppsSchema = z.object({
  state: z.enum(['stopping', 'dry-run', 'no-student']),
  /** The student's login name (or uid); null when none is known. */
  student: z.string().max(256).nullable(),
  /** How the agent knows: given (--user, or the user it runs as), or followed at the console (a root service; it follows a user switch). */
  from: z.enum(['given', 'console']),
});
export type Apps = z.infer<typeof AppsSchema>;

/** What the agent last decided and how it enforces it: `status`, each `subscribe` status line, and the status file. */
export const AgentStatusSchema = z.object({
  pid: z.number().int(),
  startedAt: z.string(),
  updatedAt: z.string(),
  dryRun: z.boolean(),
  onSchoolNetwork: z.boolean(),
  decision: z.custom<DecisionJson>((v) => typeof v === 'object' && v !== null && 'blocked' in v),
  enforcers: z.array(z.object({ name: z.string(), state: z.string() })),
  lastNotice: NoticeSchema.nullable(),
  // Optional: status files written before sync existed still read.
  sync: SyncStatusSchema.nullable().optional(),
  // Optional for the same reason (and agents of before it, which a tray may still meet).
  apps: AppsSchema.optional(),
  /** The app and site catalog in use: bundled, or the school's from its server (optional: older agents do not say). */
  catalog: z.object({ version: z.string(), source: z.enum(['bundled', 'server']) }).optional(),
});
export type AgentStatus = z.infer<typeof AgentStatusSchema>;

export const FailureSchema = z.object({ ok: z.literal(false), code: z.enum(CONTROL_ERROR_CODES), message: LocalizedSchema });
export type Failure = z.infer<typeof FailureSchema>;

export const StatusReplySchema = z.union([z.object({ ok: z.literal(true), status: AgentStatusSchema }), FailureSchema]);
export const UnlockReplySchema = z.union([z.object({ ok: z.literal(true), grantId: z.string(), expiresAt: z.number(), message: LocalizedSchema }), FailureSchema]);
export type StatusReply = z.infer<typeof StatusReplySchema>;
export type UnlockReply = z.infer<typeof UnlockReplySchema>;
export type ControlReply = StatusReply | UnlockReply;

/** One line of a `subscribe` stream (a refusal comes as a Failure line, and the agent hangs up). */
export const SubscribeLineSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('status'), status: AgentStatusSchema }),
  z.object({ type: z.literal('notice'), notice: NoticeSchema }),
]);
export type SubscribeLine = z.infer<typeof SubscribeLineSchema>;
