import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, linkSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A student's program for the flood tests: run as another uid, it opens
 * connections to the agent's control socket or its browser proxy and holds
 * them. Tests that use it need root (to run it as another uid).
 */

/** Node where another uid may run it (ours may sit under /root, 0700): a hard link in `dir`, else a copy. */
export function nodeForOthers(dir: string): string {
  const target = join(dir, 'node');
  try {
    linkSync(process.execPath, target);
  } catch {
    copyFileSync(process.execPath, target);
    chmodSync(target, 0o755);
  }
  return target;
}

export interface FloodCounts {
  /** Connections open now. */
  readonly open: number;
  /** Lines answered "busy". */
  readonly busy: number;
  /** The first characters of every other line received. */
  readonly lines: readonly string[];
  /** Connections the agent has accepted or refused so far (each counted once): all of them once the flood is in place. */
  readonly settled: number;
}

export interface FloodOptions {
  /** A Unix socket path or a TCP port on 127.0.0.1. */
  readonly target: string | number;
  readonly count: number;
  /** Sent on each connection once connected (a newline is added). */
  readonly request?: string;
  /** A space every 300 ms and never a whole request: the slow client that kept an inactivity timer from firing. */
  readonly trickle?: boolean;
}

export interface Flooder {
  readonly child: ChildProcess;
  counts(): FloodCounts;
}

const SCRIPT = `
  const net = require('node:net');
  const { target, count, request, trickle } = JSON.parse(process.argv[1]);
  let open = 0, busy = 0, settled = 0; const lines = [];
  let queued = false;
  const report = () => { if (!queued) { queued = true; setTimeout(() => { queued = false; console.log(JSON.stringify({ open, busy, lines, settled })); }, 20); } };
  function connect() {
    const s = typeof target === 'number' ? net.createConnection(target, '127.0.0.1') : net.createConnection(target);
    let text = '', connected = false, counted = false;
    const settle = () => { if (!counted) { counted = true; settled++; report(); } };
    s.setEncoding('utf8');
    s.on('connect', () => { connected = true; open++; settle(); if (request) s.write(request + '\\n'); });
    const timer = trickle ? setInterval(() => s.write(' '), 300) : undefined;
    s.on('data', (c) => {
      text += c;
      for (let i = text.indexOf('\\n'); i >= 0; i = text.indexOf('\\n')) {
        const line = text.slice(0, i); text = text.slice(i + 1);
        if (line.includes('"busy"')) busy++; else lines.push(line.slice(0, 60));
        report();
      }
    });
    s.on('error', () => {});
    s.on('close', () => { clearInterval(timer); settle(); if (connected) { open--; report(); } });
  }
  for (let i = 0; i < count; i++) connect();
`;

/** Starts the flood as `uid` (and gid `uid`) with `node` (see nodeForOthers); counts() is what it last reported. */
export function floodAs(uid: number, node: string, options: FloodOptions): Flooder {
  const child = spawn(node, ['-e', SCRIPT, JSON.stringify(options)], { uid, gid: uid, stdio: ['ignore', 'pipe', 'inherit'] });
  let last: FloodCounts = { open: 0, busy: 0, lines: [], settled: 0 };
  let pending = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop()!;
    if (lines.length) last = JSON.parse(lines.at(-1)!) as FloodCounts;
  });
  return { child, counts: () => last };
}
