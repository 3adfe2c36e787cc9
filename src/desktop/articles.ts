import { readFileSync } from 'node:fs';
import { ArticlesSchema, type Articles } from './bridge.ts';

/**
 * The articles of the code of conduct the tray quotes on its "waarom" page,
 * as data (resources/desktop/articles.json), Dutch as adopted and in English.
 */

export function readArticles(path: string): Articles {
  const parsed = ArticlesSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) throw new Error(`${path} is not the tray's article list: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}
