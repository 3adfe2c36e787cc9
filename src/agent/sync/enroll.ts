import type { z } from 'zod';
import type { ServerConfig } from '../../core/config/agent-config.ts';
import { DEVICE_PATHS, EnrolledSchema, type EnrollBody } from '../../core/protocol/index.ts';
import { enrollmentKey, readCredential, writeCredential, type DeviceCredential } from './credential-file.ts';
import type { DeviceFactsSource } from './device-facts.ts';
import { SyncError, type ServerClient } from './server-client.ts';

/**
 * Enrolls this device once: the saved credential is reused while it is for
 * the configured server; otherwise the agent enrolls with the MDM secret and
 * saves what the server answers.
 */

export interface EnrollDeps {
  readonly config: ServerConfig;
  readonly dataDir: string;
  readonly client: ServerClient;
  readonly facts: DeviceFactsSource;
  readonly now: () => number;
  readonly signal?: AbortSignal;
}

export async function ensureEnrolled(deps: EnrollDeps): Promise<{ credential: DeviceCredential; enrolledNow: boolean }> {
  const saved = readCredential(deps.dataDir);
  if (saved !== null && saved.serverUrl === deps.client.baseUrl) return { credential: saved, enrolledNow: false };
  if (deps.config.enrollmentSecret === undefined) {
    // Not retryable by waiting: IT has to put the secret where only root/SYSTEM can read it (the agent re-reads its config).
    throw new SyncError('this laptop has not enrolled and has no usable enrollment secret (see the config lines in this log); it keeps enforcing its cached schedule', { retryable: false });
  }
  const key = enrollmentKey(deps.dataDir);
  const facts = await deps.facts();
  const reply = await deps.client.request({
    method: 'POST',
    path: DEVICE_PATHS.enroll,
    body: { ...facts, enrollmentSecret: deps.config.enrollmentSecret, enrollmentKey: key } satisfies z.input<typeof EnrollBody>,
    reply: EnrolledSchema,
    ...(deps.signal ? { signal: deps.signal } : {}),
  });
  const credential: DeviceCredential = { deviceId: reply.deviceId, credential: reply.credential, serverUrl: deps.client.baseUrl, enrolledAt: deps.now() };
  writeCredential(deps.dataDir, credential);
  return { credential, enrolledNow: true };
}
