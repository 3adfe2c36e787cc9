import { EventEmitter } from 'node:events';
import net from 'node:net';

/**
 * A TCP proxy between the laptop and the school server that misbehaves on
 * command, the way school networks and broken middleboxes do:
 *
 *   pass     forwards both ways
 *   reset    accepts and answers with a TCP reset at once (the network drops)
 *   down     closes the listening socket: connecting is refused (ECONNREFUSED)
 *   cut      forwards the request, then closes the connection after a random
 *            few bytes of the answer: the server did the work, the laptop never hears it
 *   slow     forwards, delaying every chunk of the answer by 100–800 ms
 *   garbage  answers POST /api/v1/device/events with something that is not the
 *            API's answer (an HTML portal page, wrong JSON, outcomes for other
 *            events, a 502, bytes that are not HTTP), half the time after
 *            letting the real server store the batch ("commit, then lie")
 *
 * Changing the mode (to anything but pass) drops every open connection, so
 * the fault reaches the laptop at once instead of after its keep-alive
 * connection happens to close.
 */

export const PROXY_MODES = ['pass', 'reset', 'down', 'cut', 'slow', 'garbage'] as const;
export type ProxyMode = (typeof PROXY_MODES)[number];

export interface ProxyCounts {
  connections: number;
  resets: number;
  /** Connection attempts refused while the proxy was down (counted by the mode switches, not per attempt: the kernel refuses them). */
  downs: number;
  cuts: number;
  slowed: number;
  garbage: number;
  /** Open connections dropped by a mode change. */
  dropped: number;
  /** Connections reset because the server behind the proxy was not listening (it was being restarted). */
  upstreamRefused: number;
  /** POST /api/v1/device/events requests that reached the proxy. */
  eventPosts: number;
}

const EVENTS_REQUEST = 'POST /api/v1/device/events HTTP/1.1';

function http(status: string, contentType: string, body: string, extraHeaders = ''): string {
  return `HTTP/1.1 ${status}\r\ncontent-type: ${contentType}\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n${extraHeaders}\r\n${body}`;
}

/** Answers no correct client may take as "the server holds these events". */
const GARBAGE: readonly string[] = [
  http('200 OK', 'text/html', '<html><body>Welkom op het schoolnetwerk. Log in om verder te gaan.</body></html>'),
  http('200 OK', 'application/json', '{"outcomes":"all good"}'),
  http('200 OK', 'application/json', '{"ok":true}'),
  http('200 OK', 'application/json', '{"outcomes":[{"index":0,"id":"00000000-0000-4000-8000-000000000000","status":"accepted"}]}'),
  http('200 OK', 'application/json', '{"outcomes":[{"index":100000,"id":null,"status":"accepted"}]}'),
  http('200 OK', 'application/json', '{"outcomes":[{"index":0,'),
  http('200 OK', 'application/json', 'null'),
  http('502 Bad Gateway', 'text/html', '<html><h1>502 Bad Gateway</h1></html>'),
  http('503 Service Unavailable', 'application/json', '{"message":"try later"}', 'retry-after: 1\r\n'),
  // A body shorter than its content-length, then the connection closes.
  'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 5000\r\n\r\n{"outcomes":[',
  // Not HTTP at all.
  'SSH-2.0-OpenSSH_9.6\r\n',
];

export class FaultProxy extends EventEmitter {
  readonly counts: ProxyCounts = { connections: 0, resets: 0, downs: 0, cuts: 0, slowed: 0, garbage: 0, dropped: 0, upstreamRefused: 0, eventPosts: 0 };
  #mode: ProxyMode = 'pass';
  #server: net.Server;
  #port = 0;
  readonly #targetPort: number;
  readonly #random: () => number;
  readonly #open = new Set<net.Socket>();
  #listening: Promise<void> = Promise.resolve();

  private constructor(targetPort: number, random: () => number) {
    super();
    this.#targetPort = targetPort;
    this.#random = random;
    this.#server = this.#newServer();
  }

  static async start(targetPort: number, random: () => number = Math.random): Promise<FaultProxy> {
    const proxy = new FaultProxy(targetPort, random);
    await proxy.#listen(0);
    return proxy;
  }

  get port(): number {
    return this.#port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  get mode(): ProxyMode {
    return this.#mode;
  }

  /** Switches the mode; resolves when the listener is closed or open again as the mode needs. */
  async setMode(mode: ProxyMode): Promise<void> {
    await this.#listening;
    const previous = this.#mode;
    this.#mode = mode;
    if (mode !== 'pass') {
      for (const socket of this.#open) {
        socket.resetAndDestroy();
        this.counts.dropped += 1;
      }
    }
    if (mode === 'down' && previous !== 'down') {
      this.counts.downs += 1;
      this.#listening = new Promise((resolve) => this.#server.close(() => resolve()));
    } else if (mode !== 'down' && previous === 'down') {
      this.#server = this.#newServer();
      this.#listening = this.#listen(this.#port);
    }
    await this.#listening;
  }

  async close(): Promise<void> {
    await this.#listening;
    for (const socket of this.#open) socket.destroy();
    if (this.#server.listening) await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #newServer(): net.Server {
    return net.createServer((socket) => this.#accept(socket));
  }

  #listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, '127.0.0.1', () => {
        this.#server.off('error', reject);
        this.#port = (this.#server.address() as net.AddressInfo).port;
        resolve();
      });
    });
  }

  #track(socket: net.Socket): void {
    this.#open.add(socket);
    socket.on('close', () => this.#open.delete(socket));
    socket.on('error', () => {});
  }

  #accept(client: net.Socket): void {
    this.counts.connections += 1;
    this.#track(client);
    const mode = this.#mode;
    if (mode === 'reset' || mode === 'down') {
      this.counts.resets += 1;
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(this.#targetPort, '127.0.0.1');
    this.#track(upstream);
    let upstreamUp = false;
    let eventsRequest = false;
    /** garbage mode: answer the events request without letting the server see it. */
    const lieWithoutForwarding = mode === 'garbage' && this.#random() < 0.5;
    const pending: Buffer[] = [];

    let lied = false;
    const answerGarbage = () => {
      if (lied) return;
      lied = true;
      this.counts.garbage += 1;
      const answer = GARBAGE[Math.floor(this.#random() * GARBAGE.length)]!;
      upstream.destroy();
      client.end(answer);
    };

    upstream.on('connect', () => {
      upstreamUp = true;
      for (const chunk of pending.splice(0)) upstream.write(chunk);
    });
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      if (!upstreamUp && error.code === 'ECONNREFUSED') this.counts.upstreamRefused += 1;
      client.resetAndDestroy();
    });
    let slowQueue = Promise.resolve();
    upstream.on('close', () => {
      // A slowed answer is still being dripped out: end after its last chunk.
      void slowQueue.then(() => {
        if (!client.destroyed && !lied) client.end();
      });
    });
    client.on('close', () => upstream.destroy());

    client.on('data', (chunk: Buffer) => {
      if (chunk.includes(EVENTS_REQUEST, 0, 'latin1')) {
        eventsRequest = true;
        this.counts.eventPosts += 1;
        if (mode === 'garbage' && lieWithoutForwarding) {
          answerGarbage();
          return;
        }
        this.emit('events-request');
      }
      if (upstream.destroyed) return;
      if (upstreamUp) upstream.write(chunk);
      else pending.push(chunk);
    });

    let forwarded = 0;
    const cutAfter = 1 + Math.floor(this.#random() * 400);
    upstream.on('data', (chunk: Buffer) => {
      if (client.destroyed) return;
      switch (mode) {
        case 'pass':
          client.write(chunk);
          return;
        case 'cut': {
          const room = cutAfter - forwarded;
          if (chunk.length < room) {
            forwarded += chunk.length;
            client.write(chunk);
            return;
          }
          this.counts.cuts += 1;
          client.write(chunk.subarray(0, room), () => {
            if (this.#random() < 0.5) client.resetAndDestroy();
            else client.destroy();
          });
          upstream.destroy();
          return;
        }
        case 'slow': {
          this.counts.slowed += 1;
          const delay = 100 + Math.floor(this.#random() * 700);
          slowQueue = slowQueue.then(() => new Promise((resolve) => setTimeout(() => {
            if (!client.destroyed) client.write(chunk);
            resolve();
          }, delay)));
          return;
        }
        case 'garbage':
          if (eventsRequest) answerGarbage();
          else client.write(chunk);
          return;
      }
    });
  }
}
