import { z } from 'zod';
import { CAPTURE_KINDS, CaptureKindSchema, CATEGORIES, CategorySchema } from '../categories.ts';
import { ServiceId } from '../events/fields.ts';
import { MAX_SERVICES_PER_EXCEPTION } from '../events/limits.ts';

/** What a teacher asks to allow, and why: the same in the portal's request and in an unlock at the laptop. */

export const AllowInput = z.strictObject({
  categories: z.array(CategorySchema).max(CATEGORIES.length).default([]),
  services: z.array(ServiceId).max(MAX_SERVICES_PER_EXCEPTION).default([]),
  capture: z.array(CaptureKindSchema).max(CAPTURE_KINDS.length).default([]),
}).refine((a) => a.categories.length + a.services.length + a.capture.length > 0, {
  message: 'allow at least one category, service or capture kind',
});

/** Why: the educational purpose (art. III.A.3 asks for explicit permission). Free text from staff, so bounded and single-line. */
export const ReasonSchema = z.string()
  // NFKC first: a fullwidth ＝ becomes =, so the CSV export's formula guard sees what a spreadsheet would.
  .transform((text) => text.normalize('NFKC').trim())
  .pipe(z.string().min(3, 'give the educational purpose (at least 3 characters)').max(500, 'at most 500 characters')
    .regex(/^[^\p{Cc}]*$/u, 'must be one line without control characters')
    // Direction overrides (U+202E) and zero-width characters make a log line read other than it is stored.
    .regex(/^[^\p{Cf}]*$/u, 'must be plain text: no invisible formatting characters such as direction overrides or zero-width spaces'));
