import type { ReadStream } from 'node:tty';

/**
 * Reading a new password for `lesmodus server user add`: never from an
 * argument (it would sit in shell history and in every process listing).
 * From a terminal it is asked twice without echo; from a pipe the first line
 * is taken ("printf '%s\n' "$PW" | lesmodus server user add …").
 */

/** A password typed or piped longer than this is a mistake (a file piped in), not a password. */
const MAX_INPUT_BYTES = 64 * 1024;

async function firstLineOf(input: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of input) {
    text += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
    if (text.length > MAX_INPUT_BYTES) throw new Error('the password read from stdin is far too long; pipe in just the password');
    if (text.includes('\n')) break;
  }
  return text.split(/\r?\n/)[0] ?? '';
}

function askHidden(prompt: string, input: ReadStream, output: NodeJS.WritableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    output.write(prompt);
    input.setRawMode(true);
    input.setEncoding('utf8');
    input.resume();
    let value = '';
    const finish = () => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      output.write('\n');
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') {
          finish();
          resolve(value);
          return;
        }
        if (ch === '\u0003' || ch === '\u0004') {
          finish();
          reject(new Error('cancelled'));
          return;
        }
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    input.on('data', onData);
  });
}

export async function readNewPassword(input: NodeJS.ReadableStream = process.stdin, output: NodeJS.WritableStream = process.stderr): Promise<string> {
  const tty = input as ReadStream;
  if (!tty.isTTY) return firstLineOf(input);
  const first = await askHidden('New password: ', tty, output);
  const second = await askHidden('Repeat it: ', tty, output);
  if (first !== second) throw new Error('the two passwords differ; nothing was changed');
  return first;
}

/** A password asked once, to be checked rather than set (a teacher's own, for `lesmodus agent unlock`). */
export async function readPassword(prompt: string, input: NodeJS.ReadableStream = process.stdin, output: NodeJS.WritableStream = process.stderr): Promise<string> {
  const tty = input as ReadStream;
  if (!tty.isTTY) return firstLineOf(input);
  return askHidden(prompt, tty, output);
}
