import { z } from 'zod';

/**
 * What the catalog sorts apps and sites into. `video` (YouTube and the like) is
 * opt-in: the SVOK policy does not block it, a school's own policy may.
 */
export const CATEGORIES = ['social', 'video', 'camera', 'screen-recording', 'audio-recording'] as const;
export const CategorySchema = z.enum(CATEGORIES);
export type Category = z.infer<typeof CategorySchema>;

/** Browser capture capabilities that managed browser policy can switch off. */
export const CAPTURE_KINDS = ['camera', 'microphone', 'screen'] as const;
export const CaptureKindSchema = z.enum(CAPTURE_KINDS);
export type CaptureKind = z.infer<typeof CaptureKindSchema>;

export const OS_NAMES = ['win32', 'darwin', 'linux'] as const;
export const OsSchema = z.enum(OS_NAMES);
export type Os = z.infer<typeof OsSchema>;
