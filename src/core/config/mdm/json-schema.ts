import { z } from 'zod';
import { AgentConfigSchema } from '../agent-config.ts';

/** The agent config as JSON Schema (what MDM tools and editors validate against), from the same zod schema the agent reads with. */
export function configJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(AgentConfigSchema, { io: 'input', unrepresentable: 'any' }),
    title: 'Lesmodus agent configuration',
    description: 'The agent configuration: /etc/lesmodus/config.json on Linux, managed preferences on macOS, HKLM\\SOFTWARE\\Policies\\Lesmodus on Windows.',
  };
}
