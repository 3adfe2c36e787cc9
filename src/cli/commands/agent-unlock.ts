import type { z } from 'zod';
import { CAPTURE_KINDS, CaptureKindSchema, CategorySchema, type CaptureKind, type Category } from '../../core/categories.ts';
import { DEFAULT_CONTROL_SOCKET } from '../../agent/control/server.ts';
import { askAgent } from '../../agent/control/client.ts';
import { AllowSchema, UnlockReplySchema } from '../../agent/control/protocol.ts';
import { UsageError, type Command } from '../command.ts';
import { json } from '../format.ts';
import { readPassword } from './server-password.ts';

interface UnlockValues {
  code?: string;
  reason?: string;
  allow?: string[];
  'control-socket'?: string;
  json?: boolean;
}

type Allow = z.infer<typeof AllowSchema>;

/** `--allow social --allow whatsapp --allow capture:camera`: categories, catalog services, or browser capture. */
function allowFrom(values: readonly string[]): Allow {
  const allow = { categories: [] as Category[], services: [] as string[], capture: [] as CaptureKind[] };
  for (const value of values) {
    if (value.startsWith('capture:')) {
      const kind = CaptureKindSchema.safeParse(value.slice('capture:'.length));
      if (!kind.success) throw new UsageError(`--allow ${value}: the browser capture kinds are ${CAPTURE_KINDS.join(', ')}`);
      allow.capture.push(kind.data);
      continue;
    }
    const category = CategorySchema.safeParse(value);
    if (category.success) allow.categories.push(category.data);
    else allow.services.push(value);
  }
  return allow;
}

export const agentUnlock: Command<UnlockValues> = {
  path: ['agent', 'unlock'],
  summary: "A teacher unlocks apps on this laptop for the lesson in progress, with the code their portal shows (art. III.A.3).",
  options: {
    code: { type: 'string', valueName: '<123456>', help: 'The six-digit code the teacher portal shows for the lesson (asked for when not given).' },
    reason: { type: 'string', valueName: '<text>', help: 'The educational purpose, shown in the exception log (required).' },
    allow: { type: 'string', multiple: true, valueName: '<what>', help: 'What to allow: a category (social, video, camera, screen-recording, audio-recording), a service (whatsapp), or capture:camera|microphone|screen. Repeatable.' },
    'control-socket': { type: 'string', valueName: '<path>', help: `Where the agent listens (default ${DEFAULT_CONTROL_SOCKET}).` },
    json: { type: 'boolean', help: 'Print the answer as JSON.' },
  },
  details: 'Never a password: the code is good for this lesson for a few minutes and cannot log in. Without --code it is asked for\n'
    + '(or read from the first line of stdin).\n'
    + 'Example:\n  lesmodus agent unlock --code 483920 --allow social --reason "Instagram-campagne analyseren"',
  async run(values, positionals, io) {
    if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    if (!values.reason) throw new UsageError('--reason is required: the educational purpose (art. III.A.3 asks for explicit permission)');
    if (!values.allow?.length) throw new UsageError('--allow is required: what to unlock, e.g. --allow social');
    const allow = allowFrom(values.allow);
    const code = (values.code ?? await readPassword('Code uit het docentenportaal / code from the teacher portal: ')).trim();
    if (!/^\d{6}$/.test(code)) throw new UsageError('the code is the six digits the teacher portal shows for the lesson');
    const reply = await askAgent(values['control-socket'] ?? DEFAULT_CONTROL_SOCKET, { type: 'unlock', code, reason: values.reason, allow }, UnlockReplySchema);
    if (values.json) io.out(json(reply));
    else (reply.ok ? io.out : io.err)(`${reply.message.nl}\n${reply.message.en}`);
    return reply.ok ? 0 : 1;
  },
};
