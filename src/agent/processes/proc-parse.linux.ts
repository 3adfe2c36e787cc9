// Parsers for the /proc/PID files the Linux process source reads. Pure: they
// take the text of one file and return what it says, or undefined when the
// text is not what the kernel writes (a file read while the process exited
// can come back empty or cut short).

/** What /proc/PID/stat says that the guard needs. */
export interface ProcStat {
  readonly pid: number;
  /** The kernel's process name (TASK_COMM_LEN: at most 15 bytes), as written between the parentheses. */
  readonly comm: string;
  /** R, S, D, Z (zombie), X (dead), T, t, I… */
  readonly state: string;
  readonly ppid: number;
  readonly flags: number;
  /** Clock ticks after boot at which the process started: with the pid, its identity. */
  readonly startTime: number;
}

/** PF_KTHREAD in the stat flags (include/linux/sched.h): a kernel thread, never an app. */
export const PF_KTHREAD = 0x0020_0000;

// Field numbers of proc_pid_stat(5), counted from 1; fields after the comm
// are counted from the state (field 3) on, because the comm may hold spaces.
const STATE_FIELD = 3;
const PPID_FIELD = 4;
const FLAGS_FIELD = 9;
const STARTTIME_FIELD = 22;

/**
 * Parses /proc/PID/stat: "pid (comm) state ppid … starttime …". The comm is
 * whatever the process named itself, spaces and parentheses included ("a) b"
 * gives "1 (a) b) S …"), so it ends at the LAST ")" of the line.
 */
export function parseStat(text: string): ProcStat | undefined {
  const open = text.indexOf(' (');
  const close = text.lastIndexOf(')');
  if (open < 1 || close < open) return undefined;
  const pid = Number(text.slice(0, open));
  const fields = text.slice(close + 2).split(' ', STARTTIME_FIELD - STATE_FIELD + 1);
  const field = (n: number) => fields[n - STATE_FIELD];
  const state = field(STATE_FIELD);
  const ppid = Number(field(PPID_FIELD));
  const flags = Number(field(FLAGS_FIELD));
  const startTime = Number(field(STARTTIME_FIELD));
  if (!Number.isInteger(pid) || !state || !Number.isInteger(ppid) || !Number.isInteger(flags) || !Number.isInteger(startTime)) {
    return undefined;
  }
  return { pid, comm: text.slice(open + 2, close), state, ppid, flags, startTime };
}

/** A zombie has exited and waits for its parent; signals do nothing to it. */
export function isExited(stat: ProcStat): boolean {
  return stat.state === 'Z' || stat.state === 'X';
}

export function isKernelThread(stat: ProcStat): boolean {
  return (stat.flags & PF_KTHREAD) !== 0;
}

/** The real uid from /proc/PID/status ("Uid:\treal\teffective\tsaved\tfs"): who started the process. */
export function parseStatusUid(text: string): number | undefined {
  const match = /^Uid:\s+(\d+)/m.exec(text);
  return match ? Number(match[1]) : undefined;
}

/** The thread group (the process) a task belongs to, from /proc/PID/status: equal to the pid for a process, another id for a thread. */
export function parseStatusTgid(text: string): number | undefined {
  const match = /^Tgid:\s+(\d+)/m.exec(text);
  return match ? Number(match[1]) : undefined;
}

/**
 * argv from /proc/PID/cmdline: NUL-separated, usually NUL-terminated. Empty
 * for kernel threads and zombies (undefined then). A process that rewrote
 * its argv (setproctitle) may show one string with spaces: taken as it is.
 */
export function parseCmdline(text: string): readonly string[] | undefined {
  if (text.length === 0) return undefined;
  const args = text.split('\0');
  while (args.length > 0 && args[args.length - 1] === '') args.pop();
  return args.length > 0 ? args : undefined;
}

/** The sandbox a process runs in, as its cgroup names it. */
export interface Sandbox {
  readonly flatpakAppId?: string;
  readonly snapName?: string;
}

// flatpak run puts each app in a systemd scope named
// app-flatpak-<escaped app id>-<N>.scope; newer versions write
// -instance<N> or -internal<PID> (flatpak PRs #5962, #6015).
const FLATPAK_SCOPE = /^app-flatpak-(.+)-(?:instance|internal)?\d+\.scope$/;
// snapd tracks apps as snap.<snap>[_<instance key>].<app>-<uuid>.scope,
// services as snap.<snap>.<app>.service; before snapd 2.45 the uuid came
// first: snap.<uuid>.<snap>.<app>.scope.
const SNAP_UNIT = /^snap\.(.+)\.(?:scope|service)$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SNAP_NAME = /^[a-z0-9](?:-?[a-z0-9])*$/;

/**
 * The flatpak app id or snap name from /proc/PID/cgroup, where systemd put
 * the process when flatpak or snap started it. The file has one line per
 * hierarchy ("0::/user.slice/…/app-flatpak-org.gnome.Cheese-1234.scope" on
 * cgroup v2); the unit may be any component of the path.
 */
export function parseCgroupSandbox(text: string): Sandbox {
  for (const line of text.split('\n')) {
    const path = line.slice(line.indexOf(':', line.indexOf(':') + 1) + 1);
    for (const unit of path.split('/').reverse()) {
      const flatpak = FLATPAK_SCOPE.exec(unit)?.[1];
      if (flatpak) return { flatpakAppId: unescapeUnitName(flatpak) };
      const snap = snapNameOfUnit(unit);
      if (snap) return { snapName: snap };
    }
  }
  return {};
}

function snapNameOfUnit(unit: string): string | undefined {
  const inner = SNAP_UNIT.exec(unit)?.[1];
  if (!inner) return undefined;
  const parts = inner.split('.');
  const first = parts[0] !== undefined && UUID.test(parts[0]) ? parts[1] : parts[0];
  const name = first?.split('_')[0];
  return name !== undefined && SNAP_NAME.test(name) ? name : undefined;
}

/** systemd escapes a unit name's special characters as \xNN ("-" becomes "\x2d"). */
function unescapeUnitName(name: string): string {
  return name.replace(/\\x([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}
