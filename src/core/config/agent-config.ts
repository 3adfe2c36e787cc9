import { z } from 'zod';
import { SchoolNetworkConfigSchema } from '../network/school-network.ts';

/**
 * The agent's configuration as MDM delivers it (`--config FILE`, or
 * /etc/lesmodus/config.json). Unknown keys are reported, not fatal: one
 * mistyped key must not stop enforcement on every laptop of a school.
 */
export const AgentConfigSchema = z.object({
  /** How the agent recognises the school's premises (art. III.A.2). */
  schoolNetwork: SchoolNetworkConfigSchema.default({ cidrs: [], gateways: [], ssids: [] }),
});
export type AgentConfig = z.infer<typeof AgentConfigSchema>;

/** Keys in `input` that the schema does not know, as dotted paths, for a warning. */
export function unknownConfigKeys(input: unknown): string[] {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return [];
  const known = new Set(Object.keys(AgentConfigSchema.shape));
  const nested = new Set(Object.keys(SchoolNetworkConfigSchema.shape));
  const unknown: string[] = [];
  for (const [key, value] of Object.entries(input)) {
    if (!known.has(key)) unknown.push(key);
    else if (key === 'schoolNetwork' && typeof value === 'object' && value !== null) {
      for (const inner of Object.keys(value)) if (!nested.has(inner)) unknown.push(`schoolNetwork.${inner}`);
    }
  }
  return unknown;
}
