import { createServer, type Server, type Socket } from 'node:net';
import type { TrayStatus } from '../../src/desktop/link-messages.ts';

/**
 * A control socket that speaks `subscribe` as the agent does (newline-delimited
 * JSON: the status at once, then changes and notices), on a real Unix socket (until the agent's own control server speaks it: src/agent/control).
 * `send` writes to every subscriber; each new subscriber gets `status` at once.
 */
export interface SubscribeServer {
  readonly server: Server;
  readonly subscribers: Socket[];
  readonly requests: unknown[];
  send(line: unknown): void;
  stop(): Promise<void>;
}

export async function startSubscribeServer(path: string, status: TrayStatus): Promise<SubscribeServer> {
  const subscribers: Socket[] = [];
  const requests: unknown[] = [];
  const server = createServer((socket) => {
    socket.setEncoding('utf8');
    socket.once('data', (line: string) => {
      requests.push(JSON.parse(line));
      subscribers.push(socket);
      socket.write(`${JSON.stringify({ type: 'status', status })}\n`);
    });
    socket.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return {
    server, subscribers, requests,
    send(line) {
      for (const s of subscribers) s.write(typeof line === 'string' ? line : `${JSON.stringify(line)}\n`);
    },
    async stop() {
      for (const s of subscribers) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

