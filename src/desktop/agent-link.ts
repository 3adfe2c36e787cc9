import { createConnection, type Socket } from 'node:net';
import { SubscribeLineSchema, type Notice, type TrayStatus } from './link-messages.ts';

/**
 * The tray's live line to the agent: `subscribe` on the control socket, then
 * one JSON line per status change or notice. When the agent is gone (not yet
 * started, restarting after an update, killed) the tray says so at once
 * (status null) and keeps trying again, a little slower each time, so a tray
 * started before the agent catches up by itself.
 */

/** First retry soon: the usual cause is an agent that is restarting. */
export const RECONNECT_FIRST_MS = 250;
/** Never wait longer than this: a student should not look at "niet bereikbaar" long after the agent is back. */
export const RECONNECT_MAX_MS = 10_000;
/** A status is a few kilobytes; a line this long is not from the agent. */
export const MAX_LINE_BYTES = 256 * 1024;

export interface AgentLinkHandlers {
  /** The current status, or null while the agent cannot be reached. */
  onStatus(status: TrayStatus | null): void;
  onNotice(notice: Notice): void;
  /** A line that is not what the agent sends (logged by the caller; the line is skipped). */
  onBadLine?(problem: string): void;
}

export interface AgentLink {
  close(): void;
}

export function connectAgentLink(path: string, handlers: AgentLinkHandlers): AgentLink {
  let socket: Socket | null = null;
  let timer: NodeJS.Timeout | null = null;
  let delay = RECONNECT_FIRST_MS;
  let closed = false;
  let reachable: boolean | null = null;

  const unreachable = () => {
    if (reachable !== false) handlers.onStatus(null);
    reachable = false;
  };

  const handleLine = (line: string) => {
    if (line.trim() === '') return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      handlers.onBadLine?.('a line that is not JSON');
      return;
    }
    const parsed = SubscribeLineSchema.safeParse(raw);
    if (!parsed.success) {
      handlers.onBadLine?.(parsed.error.issues.map((i) => `${i.path.join('.') || 'line'}: ${i.message}`).join('; '));
      return;
    }
    delay = RECONNECT_FIRST_MS; // a real answer: the next outage starts from a quick retry again
    if (parsed.data.type === 'status') {
      reachable = true;
      handlers.onStatus(parsed.data.status);
    } else handlers.onNotice(parsed.data.notice);
  };

  const retry = () => {
    socket = null;
    unreachable();
    if (closed) return;
    timer = setTimeout(connect, delay);
    delay = Math.min(delay * 2, RECONNECT_MAX_MS);
  };

  function connect(): void {
    timer = null;
    let buffered = '';
    const current = createConnection(path);
    socket = current;
    current.setEncoding('utf8');
    current.on('connect', () => current.write(`${JSON.stringify({ type: 'subscribe' })}\n`));
    current.on('data', (chunk: string) => {
      buffered += chunk;
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        handleLine(buffered.slice(0, newline));
        buffered = buffered.slice(newline + 1);
      }
      if (buffered.length > MAX_LINE_BYTES) {
        handlers.onBadLine?.('a line far too long for the agent');
        current.destroy();
      }
    });
    current.on('error', () => current.destroy());
    current.on('close', () => {
      if (socket === current) retry();
    });
  }

  connect();
  return {
    close() {
      closed = true;
      if (timer !== null) clearTimeout(timer);
      const current = socket;
      socket = null;
      current?.destroy();
    },
  };
}
