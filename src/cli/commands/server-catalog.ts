import { CATEGORIES } from '../../core/categories.ts';
import { CATALOG_ADDITIONS_FILE, CATALOG_FILE, loadEffectiveCatalog } from '../../server/app/effective-catalog.ts';
import type { Command } from '../command.ts';
import { json, table } from '../format.ts';
import { dataDirOf, noPositionals, STORE_OPTIONS, type StoreValues } from './server-options.ts';

interface Values extends Pick<StoreValues, 'data-dir'> {
  json?: boolean;
}

export const serverCatalogCheck: Command<Values> = {
  path: ['server', 'catalog', 'check'],
  summary: "Check the catalog the server would hand its laptops (the bundled one or a newer catalog.json, with catalog-additions.json) and show what they would get.",
  options: {
    'data-dir': STORE_OPTIONS['data-dir'],
    json: { type: 'boolean', help: 'Print {"version","sha256","base","additions","services","neverBlock","domains","warnings"}.' },
  },
  details: `Reads ${CATALOG_FILE} (used only when its version is newer than the bundled catalog) and ${CATALOG_ADDITIONS_FILE} in the data folder, `
    + 'as the server does at start. An error names the file and the field to fix; the server refuses to start with it.\n'
    + 'Laptops get the checked catalog at their next pull after the server is restarted.\n'
    + 'Example:\n  lesmodus server catalog check --data-dir /var/lib/lesmodus',
  run(values, positionals, io) {
    noPositionals(positionals);
    const effective = loadEffectiveCatalog({ dataDir: dataDirOf(values).root });
    const { catalog } = effective;
    const domains = new Set(catalog.services.flatMap((s) => s.domains));
    const summary = {
      version: effective.version,
      sha256: effective.sha256,
      base: effective.base,
      additions: effective.additions,
      services: Object.fromEntries(CATEGORIES.map((c) => [c, catalog.services.filter((s) => s.category === c).length])),
      neverBlock: catalog.neverBlock.length,
      domains: domains.size,
      warnings: effective.warnings,
    };
    if (values.json) {
      io.out(json(summary));
      return 0;
    }
    for (const warning of effective.warnings) io.err(`warning: ${warning}`);
    io.out(`Catalog ${effective.version} (sha256 ${effective.sha256.slice(0, 16)}…) is valid.`);
    io.out(`Base: ${effective.base.bundled ? 'the bundled catalog' : 'a newer catalog from the data folder'}, ${effective.base.path} (version ${effective.base.version})`);
    io.out(effective.additions
      ? `School additions: ${effective.additions.path}: ${effective.additions.services} services, ${effective.additions.neverBlock} never-block entries`
      : `School additions: none (${CATALOG_ADDITIONS_FILE} in the data folder)`);
    io.out(`\nWhat laptops get: ${catalog.services.length} services, ${catalog.neverBlock.length} never-block entries, ${domains.size} blocked domains.`);
    io.out(table(['Category', 'Services'], CATEGORIES.map((c) => [c, String(summary.services[c])])));
    return 0;
  },
};
