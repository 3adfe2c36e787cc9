// Smoke test for a packaged tray on a Windows or macOS CI runner (no Electron
// can run in this repository's Linux CI): starts the tray binary against a
// stand-in agent on a private control socket, and passes when the tray
// subscribes, receives a status and is still running a few seconds later
// (its pages and tray icon rendered it without crashing).
//
//   node scripts/desktop-smoke.ts "dist/packages/win-unpacked/Lesmodus.exe"
//   node scripts/desktop-smoke.ts "/Applications/Lesmodus.app/Contents/MacOS/Lesmodus"
//
// Exit 0 on success, 1 with the reason on failure.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A packaged Electron app on a cold CI runner can take this long to start. */
const CONNECT_TIMEOUT_MS = 60_000;
/** Still alive this long after its first status: it drew the status without crashing. */
const STAY_ALIVE_MS = 5_000;

export const SMOKE_STATUS = {
  dryRun: false, onSchoolNetwork: true,
  decision: {
    inForce: true, inLesson: true,
    lesson: { subject: 'Smoke', end: new Date(Date.now() + 3_600_000).toISOString(), teachers: ['JNS'], online: false },
    onSchoolPremises: true,
    blocked: { categories: ['social'], services: [], capture: [] },
    reasons: [{ rule: 'social-media-during-lessons', article: 'III.A.1', until: new Date(Date.now() + 3_600_000).toISOString() }],
    allowed: [], nextChange: null,
    message: { nl: 'Social media zijn geblokkeerd (art. III.A.1).', en: 'Social media are blocked (art. III.A.1).' },
    hint: null,
  },
};

export async function smoke(command: string, args: readonly string[] = []): Promise<string> {
  const socketPath = process.platform === 'win32' ? `\\\\.\\pipe\\lesmodus-smoke-${process.pid}` : join(tmpdir(), `lesmodus-smoke-${process.pid}.sock`);
  if (process.platform !== 'win32') rmSync(socketPath, { force: true });
  let subscribed!: () => void;
  const subscription = new Promise<void>((resolve) => { subscribed = resolve; });
  const server = createServer((socket) => {
    socket.setEncoding('utf8');
    socket.once('data', (line: string) => {
      if (line.trim() !== JSON.stringify({ type: 'subscribe' })) return void socket.destroy();
      socket.write(`${JSON.stringify({ type: 'status', status: SMOKE_STATUS })}\n`);
      subscribed();
    });
    socket.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  const tray = spawn(command, args, { env: { ...process.env, LESMODUS_CONTROL_SOCKET: socketPath }, stdio: ['ignore', 'inherit', 'inherit'] });
  const exited = new Promise<string>((resolve) => tray.once('exit', (code, signal) => resolve(`the tray exited (code ${code}, signal ${signal})`)));
  const spawnFailed = new Promise<string>((resolve) => tray.once('error', (error) => resolve(`the tray did not start: ${error.message}`)));
  const timeout = (ms: number, what: string) => new Promise<string>((resolve) => setTimeout(() => resolve(what), ms).unref());
  try {
    const connected = await Promise.race([subscription.then(() => 'ok'), exited, spawnFailed, timeout(CONNECT_TIMEOUT_MS, `the tray did not subscribe within ${CONNECT_TIMEOUT_MS / 1000} s`)]);
    if (connected !== 'ok') throw new Error(connected);
    const alive = await Promise.race([exited, timeout(STAY_ALIVE_MS, 'ok')]);
    if (alive !== 'ok') throw new Error(`${alive} after it received its status`);
    return `the tray subscribed on ${socketPath}, received a status and kept running`;
  } finally {
    tray.kill();
    server.close();
  }
}

if (import.meta.main) {
  const [command, ...args] = process.argv.slice(2);
  if (command === undefined) {
    console.error('usage: node scripts/desktop-smoke.ts <path to the packaged Lesmodus executable> [args…]');
    process.exit(2);
  }
  smoke(command, args).then((result) => console.log(`desktop smoke: ${result}`), (error: Error) => {
    console.error(`desktop smoke FAILED: ${error.message}`);
    process.exit(1);
  });
}
