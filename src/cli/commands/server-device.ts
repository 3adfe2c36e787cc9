import { readFile } from 'node:fs/promises';
import { readDeviceRulesCsv } from '../../server/app/device-rules-import.ts';
import { ServerStoreError, type Device, type ServerStore } from '../../server/store/index.ts';
import { UsageError, type Command, type Io } from '../command.ts';
import { iso, table } from '../format.ts';
import { chooseSchool, noPositionals, SCHOOL_OPTION, STORE_OPTIONS, withStore, type StoreValues } from './server-options.ts';
import { cliActor, type LaptopNotifier } from '../../server/services/service.ts';
import { importDeviceExport, replaceDeviceRules, restoreDevice, revokeDevice } from '../../server/services/devices.ts';

/** Cutting off a lost or stolen laptop from the command line (the web API has the same: POST /api/v1/devices/:id/revoke). */

/** Runs `act` on the device named by the one positional, or says there is none (exit 1). */
async function withDevice(values: StoreValues, positionals: readonly string[], io: Io, act: (store: ServerStore, device: Device, laptops: LaptopNotifier) => Promise<number>): Promise<number> {
  const [id, ...extra] = positionals;
  if (!id) throw new UsageError('name the device (its id, as the device health page shows it)');
  noPositionals(extra);
  return withStore(values, async (store, laptops) => {
    const device = await store.device(id);
    if (device === null) {
      io.err(`There is no device '${id}'.`);
      return 1;
    }
    return act(store, device, laptops);
  });
}

export const serverDeviceRevoke: Command<StoreValues> = {
  path: ['server', 'device', 'revoke'],
  positionals: '<device-id>',
  summary: 'Revoke a lost or stolen laptop: its credential is refused and it cannot enroll again with its key until restored. Audited.',
  options: STORE_OPTIONS,
  details: [
    'A running server refuses the laptop at its next request; a live connection it holds ends within 5 minutes',
    '(at once when revoked in the web app, over the API, or here on PostgreSQL). Its events and exceptions stay in the logs.',
  ].join('\n'),
  run(values, positionals, io) {
    return withDevice(values, positionals, io, async (store, before, laptops) => {
      const { id } = before;
      const { device: revoked, already } = await revokeDevice({ store, laptops }, cliActor(), before, Date.now());
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
    return withDevice(values, positionals, io, async (store, before, laptops) => {
      const { id } = before;
      const { restored } = await restoreDevice({ store, laptops }, cliActor(), before, Date.now());
      if (!restored) {
        io.out(`Device ${id} (${before.hostname}) is not revoked.`);
        return 0;
      }
      io.out(`Restored device ${id} (${before.hostname}).`);
      return 0;
    });
  },
};

interface RulesValues extends StoreValues {
  school?: string;
  'hostname-pattern'?: string[];
}

export const serverDeviceRulesImport: Command<RulesValues> = {
  path: ['server', 'device', 'rules', 'import'],
  positionals: '[file.csv]',
  summary: "Make the MDM's device export (and hostname patterns) the school's device rules: the only ground, besides an admin, for a laptop's student. Audited.",
  options: {
    ...STORE_OPTIONS,
    school: SCHOOL_OPTION,
    'hostname-pattern': { type: 'string', multiple: true, valueName: '<pattern>', help: 'A hostname naming its student: {login} or {student} once, e.g. ll-{student}.' },
  },
  details: [
    'Columns by header, separated by ; or ,: student (number or login name), serial and/or hostname; e.g. Intune\'s',
    'export with "Serial number", "Device name" and "Primary user" renamed, or a sheet of the school\'s laptops.',
    'The file and the patterns replace all of the school\'s rules; a laptop reporting only a login name is never assigned by it.',
    'Laptops not yet assigned are matched at their next heartbeat. A file with any bad line changes nothing.',
  ].join('\n'),
  async run(values, positionals, io) {
    const [file, ...extra] = positionals;
    noPositionals(extra);
    const patterns = values['hostname-pattern'] ?? [];
    if (!file && patterns.length === 0) throw new UsageError('name the CSV file, or give --hostname-pattern');
    let text = '';
    try {
      if (file) text = await readFile(file, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read '${file}': ${(error as Error).message}`);
    }
    return withStore(values, async (store, laptops) => {
      const school = await chooseSchool(store, values.school);
      const reading = file ? await readDeviceRulesCsv(store, school.id, text) : { ok: true as const, rules: [] };
      if (!reading.ok) {
        for (const e of reading.errors) io.err(`${file}${e.line > 0 ? `:${e.line}` : ''}: ${e.message}`);
        io.err('Nothing was changed. Fix the file and import it again.');
        return 1;
      }
      const rules = [...reading.rules, ...patterns.map((value) => ({ kind: 'hostname-pattern' as const, value, studentId: null }))];
      try {
        const { rules: count } = await replaceDeviceRules({ store, laptops }, cliActor(), school.id, rules, Date.now());
        io.out(`${school.id}: ${count} device rule${count === 1 ? '' : 's'} (${reading.rules.length} from ${file ?? 'no file'}, ${patterns.length} hostname pattern${patterns.length === 1 ? '' : 's'}).`);
        return 0;
      } catch (error) {
        if (!(error instanceof ServerStoreError)) throw error;
        io.err(`${error.message}`);
        return 1;
      }
    });
  },
};

export const serverDeviceRulesList: Command<RulesValues> = {
  path: ['server', 'device', 'rules', 'list'],
  summary: "List the school's device rules: which serial or hostname is whose laptop, and hostname patterns.",
  options: { ...STORE_OPTIONS, school: SCHOOL_OPTION },
  async run(values, positionals, io) {
    noPositionals(positionals);
    return withStore(values, async (store, laptops) => {
      const school = await chooseSchool(store, values.school);
      const rules = await store.deviceRules(school.id);
      io.out(table(['Kind', 'Value', 'Student', 'Recorded'], rules.map((r) => [r.kind, r.value, r.studentId ?? '(in the name)', iso(r.recordedAt)])));
      return 0;
    });
  },
};

interface ExportValues extends StoreValues {
  school?: string;
  'dry-run'?: boolean;
}

export const serverDeviceImport: Command<ExportValues> = {
  path: ['server', 'device', 'import'],
  positionals: '<file.csv>',
  summary: "Assign laptops by the MDM's device export (Intune's Devices export, Jamf Pro's computer inventory): serial and name per student. Audited.",
  options: { ...STORE_OPTIONS, school: SCHOOL_OPTION, 'dry-run': { type: 'boolean', help: 'Only check the file and say what it would record.' } },
  details: [
    'Columns by header: Serial number, Device name / Computer Name, and the user: Primary user UPN (Intune) or Username (Jamf),',
    'a student number, login name, or an e-mail address / UPN whose part before the @ is the login.',
    "The file's serials and names replace the school's serial and hostname rules; its hostname patterns stay.",
    'Devices without a user, or whose user is no student (a teacher, a shared cart), are left out and listed.',
    'A line naming a student without a serial or name changes nothing at all. Also: lesmodus server devices import.',
  ].join('\n'),
  async run(values, positionals, io) {
    const [file, ...extra] = positionals;
    if (!file) throw new UsageError('name the CSV file');
    noPositionals(extra);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read '${file}': ${(error as Error).message}`);
    }
    return withStore(values, async (store, laptops) => {
      const school = await chooseSchool(store, values.school);
      let result;
      try {
        result = await importDeviceExport({ store, laptops }, cliActor(), school, text, { dryRun: values['dry-run'] ?? false, now: Date.now() });
      } catch (error) {
        if (!(error instanceof ServerStoreError)) throw error;
        io.err(`${file}: ${error.message}`);
        return 1;
      }
      if (!result.ok) {
        for (const e of result.errors) io.err(`${file}${e.line > 0 ? `:${e.line}` : ''}: ${e.message}`);
        io.err('Nothing was changed. Fix the file and import it again.');
        return 1;
      }
      for (const s of result.skipped) io.out(`${file}:${s.line}: left out (${s.message})`);
      const serials = result.rules.filter((r) => r.kind === 'serial').length;
      io.out(`${school.id}: ${serials} serial${serials === 1 ? '' : 's'} and ${result.rules.length - serials} device name${result.rules.length - serials === 1 ? '' : 's'} `
        + `from ${file}, ${result.skipped.length} device${result.skipped.length === 1 ? '' : 's'} left out, ${result.patternsKept} hostname pattern${result.patternsKept === 1 ? '' : 's'} kept`
        + `${result.stored ? '.' : ' (dry run: nothing was recorded).'}`);
      return 0;
    });
  },
};

/** The name the MDM section of the README uses. */
export const serverDevicesImport: Command<ExportValues> = { ...serverDeviceImport, path: ['server', 'devices', 'import'] };
