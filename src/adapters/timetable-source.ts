import { readFile } from 'node:fs/promises';
import { importIcs, type ImportOptions } from '../core/timetable/import-ics.ts';
import type { Timetable } from '../core/timetable/lesson.ts';

/** A school's feed is a few MB at most; anything far larger is not a timetable. */
export const MAX_FEED_BYTES = 50 * 1024 * 1024;
/** Feeds come from school systems on the network; give a slow one time, not forever. */
export const FEED_TIMEOUT_MS = 30_000;

function isUrl(source: string): boolean {
  return /^(https?|webcal):\/\//i.test(source);
}

async function fetchFeed(source: string): Promise<Uint8Array> {
  // webcal:// is how schools publish subscribable feeds; it is plain HTTPS underneath.
  const url = source.replace(/^webcal:\/\//i, 'https://');
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(FEED_TIMEOUT_MS), headers: { accept: 'text/calendar, */*;q=0.5' } });
  } catch (error) {
    throw new Error(`could not fetch the timetable from ${url}: ${(error as Error).message}`);
  }
  if (!response.ok) throw new Error(`the timetable server answered ${response.status} ${response.statusText} for ${url}`);
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > MAX_FEED_BYTES) throw new Error(`the timetable at ${url} is ${declared} bytes, more than the ${MAX_FEED_BYTES} allowed`);
  const body = new Uint8Array(await response.arrayBuffer());
  if (body.byteLength > MAX_FEED_BYTES) throw new Error(`the timetable at ${url} is larger than the ${MAX_FEED_BYTES} bytes allowed`);
  return body;
}

/**
 * Reads a feed from a file path or an http(s)/webcal URL, as bytes: the
 * importer joins folded lines before decoding, so a fold that splits a UTF-8
 * character survives.
 */
export async function readTimetableBytes(source: string): Promise<Uint8Array> {
  if (isUrl(source)) return fetchFeed(source);
  try {
    return await readFile(source);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `timetable file ${source} does not exist` : `cannot read timetable ${source}: ${(error as Error).message}`);
  }
}

export async function loadTimetable(source: string, options?: ImportOptions): Promise<Timetable> {
  return importIcs(await readTimetableBytes(source), options);
}
