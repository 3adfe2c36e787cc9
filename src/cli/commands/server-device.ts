import type { Device, ServerStore } from '../../server/store/index.ts';
import { UsageError, type Command, type Io } from '../command.ts';
import { iso } from '../format.ts';
import { noPositionals, STORE_OPTIONS, withStore, type StoreValues } from './server-options.ts';
import { cliActor } from './server-enroll-secret.ts';

/** Cutting off a lost or stolen laptop from the command line (the web API has the same: POST /api/v1/devices/:id/revoke). */

/** Runs `act` on the device named by the one positional, or says there is none (exit 1). */
async function withDevice(values: StoreValues, positionals: readonly string[], io: Io, act: (store: ServerStore, device: Device) => Promise<number>): Promise<number> {
  const [id, ...extra] = positionals;
  if (!id) throw new UsageError('name the device (its id, as the device health page shows it)');
  noPositionals(extra);
  return withStore(values, async (store) => {
    const device = await store.device(id);
    if (device === null) {
      io.err(`There is no device '${id}'.`);
      return 1;
    }
    return act(store, device);
  });
}

export const serverDeviceRevoke: Command<StoreValues> = {
  path: ['server', 'device', 'revoke'],
  positionals: '<device-id>',
  summary: 'Revoke a lost or stolen laptop: its credential is refused and it cannot enroll again with its key until restored. Audited.',
  options: STORE_OPTIONS,
  details: [
    'A running server refuses the laptop at its next request; a live connection it holds ends within 5 minutes',
    '(at once when revoked in the web app or over the API). Its events and exceptions stay in the logs.',
  ].join('\n'),
  run(values, positionals, io) {
    return withDevice(values, positionals, io, async (store, before) => {
      const { id } = before;
      const now = Date.now();
      const by = cliActor();
      const revoked = (await store.revokeDevice(id, { at: now, by }))!;
      if (before.revokedAt !== null) {
        io.out(`Device ${id} (${before.hostname}) was already revoked (${iso(before.revokedAt)} by ${before.revokedBy ?? '?'}).`);
        return 0;
      }
      await store.recordAudit({ at: now, username: by, action: 'revoke-device', subject: { kind: 'device', id }, schoolId: revoked.schoolId, detail: revoked.hostname });
      io.out(`Revoked device ${id} (${revoked.hostname}${revoked.studentId === null ? '' : `, student ${revoked.studentId}`}).`);
      return 0;
    });
  },
};

export const serverDeviceRestore: Command<StoreValues> = {
  path: ['server', 'device', 'restore'],
  positionals: '<device-id>',
  summary: 'Lift the revocation of a laptop you have back: it may enroll again with its key. Audited.',
  options: STORE_OPTIONS,
  run(values, positionals, io) {
    return withDevice(values, positionals, io, async (store, before) => {
      const { id } = before;
      if (before.revokedAt === null) {
        io.out(`Device ${id} (${before.hostname}) is not revoked.`);
        return 0;
      }
      const by = cliActor();
      await store.restoreDevice(id);
      await store.recordAudit({ at: Date.now(), username: by, action: 'restore-device', subject: { kind: 'device', id }, schoolId: before.schoolId, detail: before.hostname });
      io.out(`Restored device ${id} (${before.hostname}).`);
      return 0;
    });
  },
};
