import { createConnection } from 'node:net';
import { z } from 'zod';
import { MAX_REQUEST_BYTES } from '../agent/runtime/control-socket.ts';

/**
 * Asking the running agent over its local socket (see control-socket.ts):
 * one JSON line out, one JSON line back. What comes back is checked, because
 * a stale or foreign program could be listening on the path.
 */

const Message = z.object({ nl: z.string(), en: z.string() });
export const FailureSchema = z.object({ ok: z.literal(false), code: z.string(), message: Message });

export async function askAgent<S extends z.ZodType>(path: string, request: unknown, reply: S): Promise<z.infer<S>> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    let text = '';
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.end(`${JSON.stringify(request)}\n`));
    socket.on('data', (chunk: string) => {
      text += chunk;
      // A status is a few kilobytes; this is far more than any answer.
      if (text.length > 64 * MAX_REQUEST_BYTES) socket.destroy(new Error('the answer is far too long'));
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      const missing = error.code === 'ENOENT' || error.code === 'ECONNREFUSED';
      reject(new Error(missing ? `the Lesmodus agent is not running (nothing listens on ${path})` : `could not reach the agent on ${path}: ${error.message}`));
    });
    socket.on('end', () => {
      try {
        resolve(reply.parse(JSON.parse(text)));
      } catch {
        reject(new Error(`the program on ${path} did not answer as the Lesmodus agent does`));
      }
    });
  });
}
