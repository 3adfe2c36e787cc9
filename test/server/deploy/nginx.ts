import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from './tls.ts';

/**
 * Debian's nginx in front of the servers, run as the deployment template
 * says (resources/deploy/nginx-lesmodus.conf, filled in) but entirely inside
 * a temporary prefix: its own pid file, logs and temp folders, in the
 * foreground as this test's child, stopped by its pid.
 */

const TEMPLATE = fileURLToPath(new URL('../../../resources/deploy/nginx-lesmodus.conf', import.meta.url));
const NGINX = '/usr/sbin/nginx';
/** A cold nginx on a busy 2-core machine starts in well under a second; this is only the bound of the wait. */
const READY_TIMEOUT_MS = 20_000;

export interface SiteValues {
  readonly SERVER_NAME: string;
  readonly LISTEN: string;
  readonly CERTIFICATE: string;
  readonly KEY: string;
  readonly PROXY_ADDRESS: string;
  readonly UPSTREAMS: string;
}

/** The template with every @NAME@ replaced; a placeholder left over is a mistake in the template or here. */
export function renderSite(values: SiteValues): string {
  const text = readFileSync(TEMPLATE, 'utf8').replace(/@([A-Z_]+)@/g, (whole, name: string) => {
    const value = (values as unknown as Record<string, string | undefined>)[name];
    if (value === undefined) throw new Error(`the nginx template has ${whole}, which the test does not fill in`);
    return value;
  });
  return text;
}

export interface RunningNginx {
  readonly url: string;
  readonly child: ChildProcess;
  errorLog(): string;
  stop(): Promise<void>;
}

export async function startNginx(prefix: string, port: number, values: Omit<SiteValues, 'LISTEN'>, ca: string): Promise<RunningNginx> {
  mkdirSync(prefix, { recursive: true });
  // nginx's workers run as nobody when the master is root: they must reach the prefix (the key stays 0600, read by the master).
  chmodSync(prefix, 0o755);
  writeFileSync(join(prefix, 'lesmodus.conf'), renderSite({ ...values, LISTEN: `127.0.0.1:${port}` }));
  writeFileSync(join(prefix, 'nginx.conf'), [
    'daemon off;',
    'worker_processes 1;',
    `pid ${join(prefix, 'nginx.pid')};`,
    `error_log ${join(prefix, 'error.log')} info;`,
    'events { worker_connections 256; }',
    'http {',
    `  access_log ${join(prefix, 'access.log')};`,
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `  ${kind}_temp_path ${join(prefix, kind)};`),
    `  include ${join(prefix, 'lesmodus.conf')};`,
    '}',
    '',
  ].join('\n'));
  const child = spawn(NGINX, ['-p', prefix, '-c', join(prefix, 'nginx.conf'), '-e', join(prefix, 'error.log')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk) => { output += chunk; });
  child.stderr!.on('data', (chunk) => { output += chunk; });
  const exited = once(child, 'exit');
  const url = `https://127.0.0.1:${port}`;
  const errorLog = () => { try { return readFileSync(join(prefix, 'error.log'), 'utf8'); } catch { return ''; } };
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    // SIGTERM: the master stops its workers and removes its pid file before it exits.
    child.kill('SIGTERM');
    await exited;
  };
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited (${child.exitCode}):\n${output}\n${errorLog()}`);
    const ready = await request(url, { path: '/healthz' }, ca).then((a) => a.status === 200, () => false);
    if (ready) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`nginx did not answer /healthz within ${READY_TIMEOUT_MS} ms:\n${output}\n${errorLog()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { url, child, errorLog, stop };
}
