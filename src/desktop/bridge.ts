import { z } from 'zod';
import { CaptureKindSchema, CategorySchema } from '../core/categories.ts';
import { NoticeSchema, TrayStatusSchema } from './link-messages.ts';

/**
 * The only things that cross between the tray's pages and its main process,
 * checked with zod on both sides (preload and main): a page is web content and
 * is not trusted to send well-formed messages, and main is not trusted by the
 * page beyond what these schemas allow. The same `LesmodusBridge` type is
 * implemented by the preload in Electron and by a fake in the Chromium tests.
 */

export const CHANNELS = {
  /** main -> page: what to show (sent on every change). */
  view: 'lesmodus:view',
  /** page -> main: the page has loaded and wants the current view. */
  ready: 'lesmodus:ready',
  /** page -> main (invoke): a teacher's unlock code. */
  unlock: 'lesmodus:unlock',
} as const;

const LocalizedSchema = z.strictObject({ nl: z.string().min(1).max(2_000), en: z.string().min(1).max(2_000) });
/** The code of conduct's articles as resources/desktop/articles.json holds them. */
export const ArticlesSchema = z.strictObject({
  source: LocalizedSchema,
  articles: z.record(z.string().regex(/^[IVX]+\.[A-Z]\.\d+$/), LocalizedSchema),
});
export type Articles = z.infer<typeof ArticlesSchema>;

export const LocaleSchema = z.enum(['nl', 'en']);

export const ViewSchema = z.strictObject({
  locale: LocaleSchema,
  timeZone: z.string().min(1).max(64),
  /** Null while the agent cannot be reached. */
  status: TrayStatusSchema.nullable(),
  /** The notice a notice window shows; null elsewhere. */
  notice: NoticeSchema.nullable(),
  /** The code of conduct's articles, quoted on the "waarom" page. */
  articles: ArticlesSchema,
});
export type View = z.infer<typeof ViewSchema>;

export const UnlockRequestSchema = z.strictObject({
  code: z.string().regex(/^\d{6}$/, 'de code is 6 cijfers / the code is 6 digits'),
  allow: z.strictObject({
    categories: z.array(CategorySchema).max(8),
    services: z.array(z.string().min(1).max(64)).max(32),
    capture: z.array(CaptureKindSchema).max(3),
  }).refine((a) => a.categories.length + a.services.length + a.capture.length > 0, { message: 'kies wat mag / choose what to allow' }),
  reason: z.string().trim().min(3, 'geef het onderwijsdoel (art. III.A.3) / give the educational purpose').max(500),
});
export type UnlockRequest = z.infer<typeof UnlockRequestSchema>;

export const UnlockReplySchema = z.strictObject({
  ok: z.boolean(),
  message: z.strictObject({ nl: z.string().max(2_000), en: z.string().max(2_000) }),
});
export type UnlockReply = z.infer<typeof UnlockReplySchema>;

/** What a page sees as `window.lesmodus`. */
export interface LesmodusBridge {
  /** Calls `listener` with each view; returns a function that stops it. */
  onView(listener: (view: View) => void): () => void;
  unlock(request: UnlockRequest): Promise<UnlockReply>;
}
