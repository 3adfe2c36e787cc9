import { join } from 'node:path';
import { z } from 'zod';
import { DEFAULT_PROXY_ADDRESS } from '../../agent/browser/index.ts';
import { resolveStudentUser } from '../../agent/runtime/student-user.ts';
import { lineLogger } from '../../agent/runtime/logger.ts';
import { DEFAULT_CONTROL_SOCKET } from '../../agent/control/server.ts';
import { startAgent, type NetworkMode } from '../../agent/main.ts';
import { isRunning, readStatus } from '../../agent/runtime/status-file.ts';
import { StatusReplySchema, type AgentStatus, type Apps, type SyncStatus } from '../../agent/control/protocol.ts';
import { askAgent } from '../../agent/control/client.ts';
import { UsageError, type Command, type Io } from '../command.ts';
import { json } from '../format.ts';

interface RunValues {
  timetable?: string;
  'data-dir'?: string;
  'dry-run'?: boolean;
  policy?: string;
  config?: string;
  'on-school-network'?: string;
  'browser-policy-root'?: string;
  user?: string;
  'proxy-port'?: string;
  'control-socket'?: string;
}

const NETWORK_MODES: readonly NetworkMode[] = ['auto', 'yes', 'no'];

export const agentRun: Command<RunValues> = {
  path: ['agent'],
  summary: 'Run the agent: follow the timetable and enforce the policy on this device until stopped.',
  options: {
    timetable: { type: 'string', valueName: '<file-or-url>', help: 'The student\'s iCalendar timetable (required unless the config names a server).' },
    'data-dir': { type: 'string', valueName: '<dir>', help: 'Where the device store and status live (required).' },
    'dry-run': { type: 'boolean', help: 'Log exactly what would be done; kill nothing, write no browser policy.' },
    policy: { type: 'string', valueName: '<file.json>', help: 'Another policy file (default: the SVOK code of conduct).' },
    config: { type: 'string', valueName: '<file.json>', help: 'One config file instead of this OS\'s MDM stores (the Windows policy key, macOS managed preferences, and /etc/lesmodus/config.json or %ProgramData%\\Lesmodus\\config.json).' },
    'on-school-network': { type: 'string', valueName: '<auto|yes|no>', help: 'Whether the laptop is at school: detected from the configured networks (auto, the default), or fixed.' },
    'browser-policy-root': { type: 'string', valueName: '<dir>', help: 'Prefix for every browser policy path written (tests write under a temp dir instead of /).' },
    user: { type: 'string', valueName: '<name-or-uid>', help: 'The student: whose apps are stopped, and whose login the server assigns this laptop to (default: the user the agent runs as; as root, the user logged in).' },
    'proxy-port': { type: 'string', valueName: '<port>', help: `The browsers' decision proxy on 127.0.0.1 (default ${DEFAULT_PROXY_ADDRESS.port}, below 1024 so no student program can take it; 0: any free port).` },
    'control-socket': { type: 'string', valueName: '<path>', help: `Where 'lesmodus agent unlock' reaches the agent (default ${DEFAULT_CONTROL_SOCKET}).` },
  },
  details: 'Stop with SIGTERM or Ctrl-C: the agent shuts down cleanly and leaves the browser policies in place.\nExample:\n  lesmodus agent --timetable rooster.ics --data-dir /var/lib/lesmodus --dry-run',
  async run(values, positionals, io) {
    if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    if (!values['data-dir']) throw new UsageError('--data-dir is required');
    const network = (values['on-school-network'] ?? 'auto') as NetworkMode;
    if (!NETWORK_MODES.includes(network)) throw new UsageError(`--on-school-network must be auto, yes or no, not '${values['on-school-network']}'`);
    const dryRun = values['dry-run'] ?? false;
    const student = resolveStudentUser(values.user);
    const proxyPort = values['proxy-port'] === undefined ? DEFAULT_PROXY_ADDRESS.port : Number(values['proxy-port']);
    if (!Number.isInteger(proxyPort) || proxyPort < 0 || proxyPort > 65_535) throw new UsageError(`--proxy-port must be a port number, not '${values['proxy-port']}'`);
    const log = lineLogger((line) => io.out(line));
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    try {
      await startAgent({
        timetable: values.timetable,
        dataDir: values['data-dir'],
        dryRun,
        policyPath: values.policy,
        configPath: values.config,
        network,
        log,
        student,
        proxyPort,
        ...(values['browser-policy-root'] !== undefined ? { browserPolicyRoot: values['browser-policy-root'] } : {}),
        ...(values['control-socket'] !== undefined ? { controlSocket: values['control-socket'] } : {}),
      }, stop.signal);
    } finally {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    }
    return 0;
  },
};

function syncLine(sync: SyncStatus): string {
  const offset = sync.clockOffsetMs === null ? 'unknown' : `${sync.clockOffsetMs >= 0 ? '+' : ''}${(sync.clockOffsetMs / 1000).toFixed(1)} s`;
  return [
    `Server: ${sync.server}${sync.deviceId ? ` as device ${sync.deviceId}` : ' (not enrolled yet)'}; live grants ${sync.live ? 'connected' : 'not connected'}`,
    `  last pull ${sync.lastPullAt ?? 'never'}, last push ${sync.lastPushAt ?? 'never'}, ${sync.outbox} event(s) waiting, clock offset ${offset}`,
    ...(sync.lastError ? [`  last problem: ${sync.lastError}`] : []),
  ].join('\n');
}

/** Whose apps are stopped: never a claim the agent does not live up to (see AppsSchema). */
function appsLine(apps: Apps): string {
  const who = apps.from === 'console' ? `${apps.student}, the user at the console` : apps.student;
  switch (apps.state) {
    case 'no-student': return 'Apps: NOT stopped: no student is known (nobody is at the console; or run the service with --user)';
    case 'dry-run': return `Apps: reported, not stopped (dry-run), for ${who}`;
    case 'stopping': return `Apps: blocked apps of ${who} are stopped`;
  }
}

interface StatusValues {
  'data-dir'?: string;
  'control-socket'?: string;
  json?: boolean;
}

/** From the status file when the data dir is readable (IT, as root), else from the running agent (a student, the tray). */
async function currentStatus(values: StatusValues, io: Io): Promise<{ status: AgentStatus; running: boolean } | null> {
  if (values['data-dir']) {
    const status = readStatus(join(values['data-dir'], 'status.json'));
    if (!status) {
      io.err(`No agent status in ${values['data-dir']}: the agent has not run there yet (start it with 'lesmodus agent').`);
      return null;
    }
    return { status, running: isRunning(status.pid) };
  }
  const reply = await askAgent(values['control-socket'] ?? DEFAULT_CONTROL_SOCKET, { type: 'status' }, StatusReplySchema);
  if (!reply.ok) {
    io.err(`${reply.message.nl}\n${reply.message.en}`);
    return null;
  }
  return { status: reply.status, running: true };
}

export const agentStatus: Command<StatusValues> = {
  path: ['agent', 'status'],
  summary: 'Show what the agent enforces now and why, in plain words.',
  options: {
    'data-dir': { type: 'string', valueName: '<dir>', help: 'Read the status file in the agent\'s data dir (default: ask the running agent).' },
    'control-socket': { type: 'string', valueName: '<path>', help: `Where the running agent listens (default ${DEFAULT_CONTROL_SOCKET}).` },
    json: { type: 'boolean', help: 'Print the status as JSON.' },
  },
  async run(values, positionals, io) {
    if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    const current = await currentStatus(values, io);
    if (current === null) return 1;
    const { status, running } = current;
    if (values.json) {
      io.out(json({ running, ...status }));
      return 0;
    }
    const d = status.decision;
    io.out([
      `Agent: ${running ? `running (pid ${status.pid}, since ${status.startedAt})` : `not running (last seen ${status.updatedAt})`}${status.dryRun ? ', dry-run' : ''}`,
      `Network: ${status.onSchoolNetwork ? 'school network' : 'not the school network'}`,
      ...(status.apps ? [appsLine(status.apps)] : []),
      '',
      d.message.nl,
      d.message.en,
      ...(d.hint ? [d.hint.nl] : []),
      '',
      `Blocked: ${d.blocked.categories.join(', ') || 'nothing'}${d.blocked.capture.length ? `; browser ${d.blocked.capture.join(', ')}` : ''}`,
      ...d.reasons.map((r) => `Because: art. ${r.article} (${r.rule}) while ${r.condition}, until ${r.until}`),
      ...d.allowed.map((a) => `Allowed: ${[...a.categories, ...a.services, ...a.capture].join(', ')} by ${a.by.teacherCode ?? a.by.username} until ${a.until}: ${a.reason}`),
      ...d.ignoredGrants.filter((g) => g.why === 'no-consent').map((g) => `Not applied: exception ${g.grant} needs the student's consent for this school year (art. ${g.article ?? 'III.B.9'})`),
      `Next change: ${d.nextChange ?? 'none scheduled'}`,
      ...status.enforcers.map((e) => `Enforcer ${e.name}: ${e.state}`),
      ...(status.sync ? [syncLine(status.sync)] : []),
      ...(status.catalog ? [`Catalog: ${status.catalog.version} (${status.catalog.source === 'server' ? "the school server's" : 'bundled'})`] : []),
      ...(status.lastNotice ? [`Last notice (${status.lastNotice.at}): ${status.lastNotice.nl}`] : []),
    ].join('\n'));
    return 0;
  },
};
