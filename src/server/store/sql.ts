/**
 * SQL as fragments with their values kept apart: a value is only ever sent as
 * a bound parameter, never spliced into the text, so a filter string such as
 * "x' OR '1'='1" stays data. The same fragment renders with `?` placeholders
 * for SQLite and `$1, $2, …` for PostgreSQL, which is what lets the two stores
 * share one set of queries.
 */
export class Sql {
  /** Text around the values: `texts.length === values.length + 1`. */
  readonly texts: readonly string[];
  readonly values: readonly SqlValue[];

  constructor(texts: readonly string[], values: readonly SqlValue[]) {
    this.texts = texts;
    this.values = values;
  }
}

/** What a bound parameter may be. Booleans are stored as 0/1 by the callers, so both databases agree. */
export type SqlValue = string | number | null;

/** sql`SELECT * FROM grants WHERE id = ${id}`: values become parameters; a nested Sql fragment is spliced in. */
export function sql(strings: TemplateStringsArray, ...parts: readonly (SqlValue | Sql)[]): Sql {
  const texts: string[] = [strings[0]!];
  const values: SqlValue[] = [];
  parts.forEach((part, index) => {
    const after = strings[index + 1]!;
    if (part instanceof Sql) {
      texts[texts.length - 1] += part.texts[0]!;
      for (let i = 0; i < part.values.length; i++) {
        values.push(part.values[i]!);
        texts.push(part.texts[i + 1]!);
      }
      texts[texts.length - 1] += after;
    } else {
      values.push(part);
      texts.push(after);
    }
  });
  return new Sql(texts, values);
}

/**
 * Text that is part of the code, never of the input (a column list, a sort
 * direction). Taking a string literal type keeps a runtime value out.
 */
export function trusted<const T extends string>(text: T): Sql {
  return new Sql([text], []);
}

export const EMPTY = trusted('');

/** Fragments joined by a separator, e.g. conditions with ' AND '. */
export function join(fragments: readonly Sql[], separator: ', ' | ' AND ' | ' OR '): Sql {
  if (fragments.length === 0) return EMPTY;
  return fragments.slice(1).reduce((joined, fragment) => sql`${joined}${trusted(separator)}${fragment}`, fragments[0]!);
}

/** `WHERE a AND b`, or nothing when there are no conditions. */
export function where(conditions: readonly Sql[]): Sql {
  return conditions.length === 0 ? EMPTY : sql` WHERE ${join(conditions, ' AND ')}`;
}

export type PlaceholderStyle = 'question' | 'dollar';

export function render(query: Sql, style: PlaceholderStyle): { text: string; values: SqlValue[] } {
  let text = query.texts[0]!;
  for (let i = 1; i < query.texts.length; i++) text += (style === 'question' ? '?' : `$${i}`) + query.texts[i]!;
  return { text, values: [...query.values] };
}
