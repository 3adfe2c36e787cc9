import type { Device, ServerStore } from '../../server/store/index.ts';
import { UsageError, type Command, type Io } from '../command.ts';
import { iso } from '../format.ts';
import { noPositionals, STORE_OPTIONS, withStore, type StoreValues } from './server-options.ts';
import { cliActor, NO_LIVE_LAPTOPS } from '../../server/services/service.ts';
import { restoreDevice, revokeDevice } from '../../server/services/devices.ts';

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
      const { device: revoked, already } = await revokeDevice({ store, laptops: NO_LIVE_LAPTOPS }, cliActor(), before, Date.now());
      if (already) {
        io.out(`Device ${id} (${before.hostname}) was already revoked (${iso(before.revokedAt!)} by ${before.revokedBy ?? '?'}).`);
        return 0;
      }
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
      const { restored } = await restoreDevice({ store, laptops: NO_LIVE_LAPTOPS }, cliActor(), before, Date.now());
      if (!restored) {
        io.out(`Device ${id} (${before.hostname}) is not revoked.`);
        return 0;
      }
      io.out(`Restored device ${id} (${before.hostname}).`);
      return 0;
    });
  },
};
