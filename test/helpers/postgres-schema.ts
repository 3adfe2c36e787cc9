import pg from 'pg';

/** Drops a benchmark's or test's own schema and everything in it. */
export async function dropSchema(url: string, schema: string): Promise<void> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await admin.end();
  }
}

/**
 * Makes an empty schema and returns a database URL whose connections keep
 * their tables there (search_path in the URL's options), for a spawned
 * `lesmodus server`, which takes only --database-url.
 */
export async function freshSchemaUrl(url: string, schema: string): Promise<string> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA "${schema}"`);
  } finally {
    await admin.end();
  }
  const withSchema = new URL(url);
  withSchema.searchParams.set('options', `-c search_path=${schema}`);
  return withSchema.toString();
}

/** Reads rows from a test's own schema on a connection of its own (what the server stored, as an auditor sees it). */
export async function querySchema<R>(url: string, schema: string, text: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`SET search_path = "${schema}"`);
    return (await client.query(text, values)).rows as R[];
  } finally {
    await client.end();
  }
}
