import { askAgent } from '../agent/control/client.ts';
import { UnlockReplySchema } from '../agent/control/protocol.ts';
import type { UnlockReply, UnlockRequest } from './bridge.ts';

/**
 * The unlock window's request, to the agent: the teacher's code, what to
 * allow and why. The agent forwards it to the school server with the device's
 * credential (which the tray never holds) and answers in Dutch and English.
 */
export async function sendUnlock(socketPath: string, request: UnlockRequest): Promise<UnlockReply> {
  try {
    const reply = await askAgent(socketPath, { type: 'unlock', code: request.code, allow: request.allow, reason: request.reason }, UnlockReplySchema);
    return { ok: reply.ok, message: reply.message };
  } catch {
    return {
      ok: false,
      message: {
        nl: 'De Lesmodus-agent is niet bereikbaar, dus ontgrendelen op deze laptop kan nu niet. Geef de uitzondering in het docentenportaal.',
        en: 'The Lesmodus agent cannot be reached, so unlocking on this laptop is not possible now. Grant the exception in the teacher portal.',
      },
    };
  }
}
