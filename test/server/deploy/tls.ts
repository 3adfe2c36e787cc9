import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { join } from 'node:path';

/**
 * A test certificate authority and a certificate for 127.0.0.1 signed by it,
 * made with openssl as a school's IT would (self-signed CA), and HTTPS
 * requests that trust that CA only, from a chosen loopback address (127.0.0.x
 * are all this machine: each stands for another client).
 */

export interface TestCertificates {
  readonly caPath: string;
  readonly ca: string;
  readonly certificatePath: string;
  readonly keyPath: string;
}

const CURVE = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export function makeCertificates(dir: string): TestCertificates {
  const at = (name: string) => join(dir, name);
  const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  openssl(['req', '-x509', ...CURVE, '-keyout', at('ca.key'), '-out', at('ca.pem'), '-days', '2', '-subj', '/CN=Lesmodus test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  openssl(['req', ...CURVE, '-keyout', at('server.key'), '-out', at('server.csr'), '-subj', '/CN=127.0.0.1']);
  writeFileSync(at('server.ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n');
  openssl(['x509', '-req', '-in', at('server.csr'), '-CA', at('ca.pem'), '-CAkey', at('ca.key'), '-CAcreateserial',
    '-out', at('server.pem'), '-days', '2', '-extfile', at('server.ext')]);
  return { caPath: at('ca.pem'), ca: readFileSync(at('ca.pem'), 'utf8'), certificatePath: at('server.pem'), keyPath: at('server.key') };
}

export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

export interface RequestSpec {
  readonly method?: 'GET' | 'POST';
  readonly path: string;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  /** The loopback address the request comes from (default 127.0.0.1). */
  readonly from?: string;
}

/** One request over HTTPS (trusting `ca` only) or plain HTTP, by the URL's scheme; a fresh connection each time. */
export function request(baseUrl: string, spec: RequestSpec, ca?: string): Promise<Answer> {
  const url = new URL(spec.path, baseUrl);
  const body = spec.body === undefined ? undefined : JSON.stringify(spec.body);
  const headers = { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...spec.headers };
  const module = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = module.request(url, {
      method: spec.method ?? 'GET', headers, localAddress: spec.from ?? '127.0.0.1', agent: false,
      ...(url.protocol === 'https:' ? { ca } : {}),
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => { text += chunk; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
