import { DEFAULT_TIME_ZONE, isValidTimeZone } from '../../core/time/zoned.ts';
import { UsageError, type Command } from '../command.ts';
import { table } from '../format.ts';
import { noPositionals, STORE_OPTIONS, withStore, type StoreValues } from './server-options.ts';

interface AddValues extends StoreValues {
  id?: string;
  name?: string;
  zone?: string;
}

export const serverSchoolAdd: Command<AddValues> = {
  path: ['server', 'school', 'add'],
  summary: 'Add a school to the server (or rename one).',
  options: {
    ...STORE_OPTIONS,
    id: { type: 'string', valueName: '<school-id>', help: 'A short, stable key, e.g. svok-college (required).' },
    name: { type: 'string', valueName: '<name>', help: 'The name shown in the portal (required).' },
    zone: { type: 'string', valueName: '<iana-zone>', help: `Its time zone (default ${DEFAULT_TIME_ZONE}).` },
  },
  async run(values, positionals, io) {
    noPositionals(positionals);
    if (!values.id || !values.name) throw new UsageError('--id and --name are required');
    const zone = values.zone ?? DEFAULT_TIME_ZONE;
    if (!isValidTimeZone(zone)) throw new UsageError(`unknown time zone '${zone}'`);
    await withStore(values, (store) => store.putSchool({ id: values.id!, name: values.name!, timeZone: zone }, Date.now()));
    io.out(`School '${values.id}' (${values.name}, ${zone}) is ready.`);
    return 0;
  },
};

export const serverSchoolList: Command<StoreValues> = {
  path: ['server', 'school', 'list'],
  summary: 'List the schools on the server.',
  options: STORE_OPTIONS,
  async run(values, positionals, io) {
    noPositionals(positionals);
    const schools = await withStore(values, (store) => store.schools());
    io.out(table(['Id', 'Name', 'Time zone'], schools.map((s) => [s.id, s.name, s.timeZone])));
    return 0;
  },
};
