import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { loadCatalogIndex } from '../../adapters/resources.ts';
import { parseInstant } from '../../core/time/parse-instant.ts';
import { DEFAULT_TIME_ZONE } from '../../core/time/zoned.ts';
import { csvHeader, csvRow } from '../../server/api/exception-csv.ts';
import type { ExceptionLogFilter } from '../../server/store/index.ts';
import { cliActor } from '../../server/services/service.ts';
import { UsageError, type Command } from '../command.ts';
import { noPositionals, SCHOOL_OPTION, STORE_OPTIONS, withStore, type StoreValues } from './server-options.ts';

interface Values extends StoreValues {
  from?: string;
  to?: string;
  format?: string;
  lang?: string;
  school?: string;
  output?: string;
}


function instantOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const instant = parseInstant(value, DEFAULT_TIME_ZONE);
  if (instant === undefined) throw new UsageError(`--${name} '${value}' is not a date or date-time (ISO-8601)`);
  return instant;
}

export const serverExport: Command<Values> = {
  path: ['server', 'export'],
  summary: 'Export the exception log (exceptions that took effect from --from until --to) as CSV or JSON; recorded in the audit log.',
  options: {
    ...STORE_OPTIONS,
    from: { type: 'string', valueName: '<date>', help: 'From this date or date-time, school time (e.g. 2026-01-01).' },
    to: { type: 'string', valueName: '<date>', help: 'Until (not including) this date or date-time.' },
    format: { type: 'string', valueName: '<csv|json>', help: 'The format (default csv).' },
    lang: { type: 'string', valueName: '<nl|en>', help: 'The CSV\'s language: nl (";", Dutch headers and words, for Excel or LibreOffice in Dutch) or en (",", field names and ids; the default, for scripts).' },
    school: { type: 'string', valueName: '<school-id>', help: `${SCHOOL_OPTION.help.replace(' (may be left out when the server has one)', '')} (default: every school).` },
    output: { type: 'string', valueName: '<file>', help: 'Write to this file instead of stdout.' },
  },
  details: 'Example:\n  lesmodus server export --from 2026-01-01 --to 2026-02-01 --lang nl --output uitzonderingen-januari.csv',
  async run(values, positionals, io) {
    noPositionals(positionals);
    const format = values.format ?? 'csv';
    if (format !== 'csv' && format !== 'json') throw new UsageError(`--format must be csv or json, not '${format}'`);
    const language = values.lang ?? 'en';
    if (language !== 'nl' && language !== 'en') throw new UsageError(`--lang must be nl or en, not '${language}'`);
    const from = instantOption(values.from, 'from');
    const to = instantOption(values.to, 'to');
    if (from !== undefined && to !== undefined && to <= from) throw new UsageError('--to must be after --from');
    const now = Date.now();
    const filter: ExceptionLogFilter = {
      at: now, ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}), ...(values.school ? { schoolId: values.school } : {}),
    };
    const file = values.output === undefined ? null : createWriteStream(values.output, { mode: 0o600 });
    const write = async (text: string) => {
      if (file === null) io.out(text);
      else if (!file.write(text)) await once(file, 'drain');
    };
    let rows = 0;
    await withStore(values, async (store) => {
      await store.recordAudit({ at: now, username: cliActor().username, action: 'export-log', subject: { kind: 'exception-log', id: values.school ?? 'all' },
        schoolId: values.school ?? null, detail: `${format} from=${values.from ?? '-'} to=${values.to ?? '-'}` });
      const zones = new Map((await store.schools()).map((s) => [s.id, s.timeZone]));
      const catalog = loadCatalogIndex();
      // The BOM tells Excel the file is UTF-8 (é, ë in names and reasons); a script reading English CSV gets none.
      await write(format === 'csv' ? `${language === 'nl' ? '\uFEFF' : ''}${csvHeader(language)}` : '[\n');
      for await (const row of store.exportExceptionLog(filter)) {
        await write(format === 'csv' ? csvRow(row, { zone: zones.get(row.schoolId) ?? DEFAULT_TIME_ZONE, language, serviceName: (id) => catalog.service(id)?.name }) : `${rows === 0 ? '' : ','}${JSON.stringify(row)}\n`);
        rows++;
      }
      if (format === 'json') await write(']\n');
    });
    if (file !== null) {
      file.end();
      await once(file, 'finish');
    }
    io.err(`${rows} exceptions exported.`);
    return 0;
  },
};
