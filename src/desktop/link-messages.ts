import { z } from 'zod';
import { AppsSchema, NoticeSchema } from '../agent/control/protocol.ts';
import { CaptureKindSchema, CategorySchema } from '../core/categories.ts';

/**
 * What the tray reads from the agent's `subscribe` stream: one JSON object per
 * line, the status at once, then every change and notice. Only the fields the
 * tray shows are read (unknown fields are dropped), so a newer agent with more
 * to say still talks to an older tray. Every line is checked: a stale or
 * foreign program may listen on the socket path.
 *
 * The lines are the control protocol's (src/agent/control/protocol.ts,
 * SubscribeLineSchema); this is the tray's stricter reading of them, because
 * the protocol leaves the decision's shape to its producer and the tray
 * renders it field by field.
 */

const Localized = z.object({ nl: z.string().max(2_000), en: z.string().max(2_000) });

const LessonSchema = z.object({ subject: z.string().max(200).nullable(), end: z.string(), teachers: z.array(z.string().max(64)).max(20), online: z.boolean() });

export const TrayDecisionSchema = z.object({
  inForce: z.boolean(),
  inLesson: z.boolean(),
  lesson: LessonSchema.nullable(),
  onSchoolPremises: z.boolean(),
  blocked: z.object({
    categories: z.array(CategorySchema),
    services: z.array(z.string().max(64)).max(500),
    capture: z.array(CaptureKindSchema),
  }),
  reasons: z.array(z.object({ rule: z.string().max(64), article: z.string().max(32), until: z.string() })).max(20),
  allowed: z.array(z.object({
    grant: z.string().max(128),
    articles: z.array(z.string().max(32)).max(8),
    by: z.object({ username: z.string().max(128), name: z.string().max(200).optional(), role: z.string().max(32) }),
    reason: z.string().max(500),
    categories: z.array(CategorySchema),
    services: z.array(z.string().max(64)).max(500),
    capture: z.array(CaptureKindSchema),
    until: z.string(),
  })).max(20),
  nextChange: z.string().nullable(),
  message: Localized,
  hint: Localized.nullable(),
});
export type TrayDecision = z.infer<typeof TrayDecisionSchema>;

export const TrayStatusSchema = z.object({
  dryRun: z.boolean(),
  onSchoolNetwork: z.boolean(),
  decision: TrayDecisionSchema,
  // Whose apps are stopped; an agent of before it sends none.
  apps: AppsSchema.optional(),
});
export type TrayStatus = z.infer<typeof TrayStatusSchema>;

export { NoticeSchema, type Notice } from '../agent/control/protocol.ts';

export const SubscribeLineSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('status'), status: TrayStatusSchema }),
  z.object({ type: z.literal('notice'), notice: NoticeSchema }),
]);
export type SubscribeLine = z.infer<typeof SubscribeLineSchema>;
