// Writes the web pages' API types (src/server/web/assets/api-types.d.ts) from the route table.
import { writeFileSync } from 'node:fs';
import { API_ROUTES } from '../src/server/api/routes/index.ts';
import { webTypes } from '../src/server/api/web-types.ts';

const target = new URL('../src/server/web/assets/api-types.d.ts', import.meta.url);
writeFileSync(target, webTypes(API_ROUTES));
console.log(`wrote ${target.pathname}`);
