/**
 * The server's log: one JSON object per line on stderr, so a school's IT can
 * grep it or ship it anywhere. Bodies, passwords, tokens and credentials are
 * never logged; a failed request is logged with its request id and stack,
 * which is all the client gets to quote.
 */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export function jsonLogger(write: (line: string) => void = (line) => process.stderr.write(line), clock: () => number = Date.now): Logger {
  const log = (level: string) => (message: string, fields: Record<string, unknown> = {}) => {
    write(`${JSON.stringify({ at: new Date(clock()).toISOString(), level, message, ...fields })}\n`);
  };
  return { info: log('info'), warn: log('warn'), error: log('error') };
}

export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };

/** Keeps what was logged, for tests that check a failure was logged server-side. */
export function memoryLogger(): Logger & { readonly lines: { level: string; message: string; fields: Record<string, unknown> }[] } {
  const lines: { level: string; message: string; fields: Record<string, unknown> }[] = [];
  const log = (level: string) => (message: string, fields: Record<string, unknown> = {}) => {
    lines.push({ level, message, fields });
  };
  return { lines, info: log('info'), warn: log('warn'), error: log('error') };
}
