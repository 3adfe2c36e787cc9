import { createConnection } from 'node:net';
import type { z } from 'zod';
import { MAX_REPLY_BYTES, type ControlRequestInput } from './protocol.ts';

/**
 * Asking the running agent over its control socket: one JSON line out, one
 * JSON line back. What comes back is checked against the protocol's reply
 * schema, because a stale or foreign program could be listening on the path.
 * (The tray's long-lived `subscribe` line lives in src/desktop/agent-link.ts.)
 */
export async function askAgent<S extends z.ZodType>(path: string, request: ControlRequestInput, reply: S): Promise<z.infer<S>> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    let text = '';
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.end(`${JSON.stringify(request)}\n`));
    socket.on('data', (chunk: string) => {
      text += chunk;
      if (text.length > MAX_REPLY_BYTES) socket.destroy(new Error('the answer is far too long'));
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
