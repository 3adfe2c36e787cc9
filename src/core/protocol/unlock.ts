import { z } from 'zod';
import { AllowInput, ReasonSchema } from './exception-input.ts';
import { Instant } from './fields.ts';

/**
 * A teacher (or leader) at the student's laptop: the unlock code their portal
 * shows for the lesson, what to allow and why. The lesson is the one in
 * progress for the laptop's student; the answer is a grant signed for this
 * laptop (SignedDeviceGrantSchema).
 */
export const UnlockBody = z.strictObject({
  /** The six-digit code the teacher's portal shows for the lesson in progress (GET /api/v1/unlock-code). */
  code: z.string().regex(/^\d{6}$/, 'must be the six digits the teacher portal shows'),
  allow: AllowInput,
  reason: ReasonSchema,
  /** Earlier than the lesson's end, when the teacher wants it shorter. */
  expiresAt: Instant.optional(),
});
/** What the agent sends (defaults not yet filled in). */
export type UnlockRequest = z.input<typeof UnlockBody>;
