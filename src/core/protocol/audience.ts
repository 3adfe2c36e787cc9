import { z } from 'zod';
import { Key } from './fields.ts';

/**
 * Whom a grant reaches: the lesson's groups, named groups, one student or one
 * device. The API takes it when a grant is made, and the server signs it into
 * every device grant, so a laptop can give it back whole to a server restored
 * from a backup that lost the grant.
 */
export const GrantAudienceSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('lesson') }),
  z.strictObject({ kind: z.literal('groups'), groups: z.array(Key).min(1, 'name at least one group').max(100, 'at most 100 groups') }),
  z.strictObject({ kind: z.literal('student'), studentId: Key }),
  z.strictObject({ kind: z.literal('device'), deviceId: Key }),
]);
