import { loadCatalogIndex } from '../../adapters/resources.ts';
import { loadEffectiveCatalog } from '../../server/app/effective-catalog.ts';
import { OsSchema } from '../../core/categories.ts';
import type { Classification } from '../../core/catalog/match.ts';
import { UsageError, type Command } from '../command.ts';
import { json, table } from '../format.ts';

interface Values {
  os?: string;
  process?: string[];
  'bundle-id'?: string[];
  package?: string[];
  cmdline?: string[];
  domain?: string[];
  catalog?: string;
  'server-data-dir'?: string;
  json?: boolean;
}

export const catalogClassify: Command<Values> = {
  path: ['catalog', 'classify'],
  summary: 'Tell which catalog service and category an app or site belongs to, and whether it is never blocked.',
  options: {
    os: { type: 'string', valueName: '<win32|darwin|linux>', help: 'The operating system the process names are from (required for processes).' },
    process: { type: 'string', multiple: true, valueName: '<name>', help: 'A process or executable name (Linux: as in /proc, possibly cut to 15 characters).' },
    'bundle-id': { type: 'string', multiple: true, valueName: '<id>', help: 'A macOS bundle id, e.g. com.obsproject.obs-studio.' },
    package: { type: 'string', multiple: true, valueName: '<family>', help: 'A Windows Store package family name.' },
    cmdline: { type: 'string', multiple: true, valueName: '"<argv…>"', help: 'A Linux command line, e.g. "python3 /usr/bin/kazam".' },
    domain: { type: 'string', multiple: true, valueName: '<host-or-url>', help: 'A host name or URL.' },
    catalog: { type: 'string', valueName: '<file.json>', help: 'Another catalog file (default: the shipped one).' },
    'server-data-dir': { type: 'string', valueName: '<dir>', help: "The catalog the school server with this data folder hands its laptops (its catalog.json and catalog-additions.json)." },
    json: { type: 'boolean', help: 'Print {"results":[{"kind","input","category","service","neverBlock"}]}.' },
  },
  details: 'Example:\n  lesmodus catalog classify --os linux --process obs --cmdline "python3 /usr/bin/kazam" --domain www.instagram.com --json',
  run(values, positionals, io) {
    if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    const processes = [...(values.process ?? []), ...(values['bundle-id'] ?? []), ...(values.package ?? []), ...(values.cmdline ?? [])];
    if (processes.length + (values.domain?.length ?? 0) === 0) throw new UsageError('give at least one --process, --bundle-id, --package, --cmdline or --domain');
    const os = values.os === undefined ? undefined : OsSchema.safeParse(values.os);
    if (os && !os.success) throw new UsageError(`--os must be win32, darwin or linux, not '${values.os}'`);
    if (processes.length > 0 && !os) throw new UsageError('--os is required to classify processes');
    const osName = os?.data ?? 'linux';
    if (values.catalog !== undefined && values['server-data-dir'] !== undefined) throw new UsageError('give --catalog or --server-data-dir, not both');
    const catalog = values['server-data-dir'] !== undefined ? loadEffectiveCatalog({ dataDir: values['server-data-dir'] }).index : loadCatalogIndex(values.catalog);

    const results: Classification[] = [
      ...(values.process ?? []).map((name) => catalog.classifyProcess(osName, { name })),
      ...(values['bundle-id'] ?? []).map((bundleId) => ({ ...catalog.classifyProcess(osName, { name: '', bundleId }), kind: 'bundle-id' as const, input: bundleId })),
      ...(values.package ?? []).map((packageFamily) => ({ ...catalog.classifyProcess(osName, { name: '', packageFamily }), kind: 'package' as const, input: packageFamily })),
      ...(values.cmdline ?? []).map((line) => {
        const argv = line.trim().split(/\s+/);
        const name = argv[0]?.split('/').pop() ?? '';
        return { ...catalog.classifyProcess(osName, { name, cmdline: argv }), input: line };
      }),
      ...(values.domain ?? []).map((domain) => catalog.classifyDomain(domain)),
    ];
    const out = results.map(({ kind, input, category, service, neverBlock }) => ({ kind, input, category, service, neverBlock }));
    if (values.json) {
      io.out(json({ results: out }));
      return 0;
    }
    io.out(table(
      ['Kind', 'Input', 'Category', 'Service', 'Never blocked'],
      out.map((r) => [r.kind, r.input, r.category ?? '-', r.service ?? '-', r.neverBlock ? 'yes' : 'no']),
    ));
    return 0;
  },
};
