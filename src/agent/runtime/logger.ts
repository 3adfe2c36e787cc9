/** One line per event, timestamped in UTC: what an admin greps in the service log. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export function lineLogger(write: (line: string) => void, now: () => number = Date.now): Logger {
  const line = (level: string) => (message: string) => write(`${new Date(now()).toISOString()} ${level.padEnd(5)} ${message}\n`);
  return { info: line('info'), warn: line('warn'), error: line('error') };
}
