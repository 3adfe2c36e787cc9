import { execFile } from 'node:child_process';

/** What an OS tool printed; the config readers parse it (and their tests feed them captured output). */
export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export type CommandRunner = (file: string, args: readonly string[]) => Promise<CommandResult>;

/** An OS tool answering slower than this is treated as failed: the config is read again at the next check. */
const COMMAND_TIMEOUT_MS = 10_000;

export const runCommand: CommandRunner = (file, args) => new Promise((resolve) => {
  execFile(file, [...args], { encoding: 'utf8', timeout: COMMAND_TIMEOUT_MS, windowsHide: true }, (error, stdout, stderr) => {
    const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
    resolve({ code, stdout, stderr: stderr || (error && typeof error.code !== 'number' ? error.message : '') });
  });
});
