import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import cron from 'node-cron';
import { readJsonFile, loadCatalogIndex, loadPolicy } from '../adapters/resources.ts';
import { loadTimetable } from '../adapters/timetable-source.ts';
import { readAgentConfig, type AgentConfig, type ConfigReading } from '../core/config/agent-config.ts';
import type { CatalogIndex } from '../core/catalog/match.ts';
import { matchSchoolNetwork } from '../core/network/school-network.ts';
import { GrantSchema } from '../core/grants/grant.ts';
import { liftsAnything } from '../core/policy/consent.ts';
import type { Policy } from '../core/policy/schema.ts';
import type { DeviceStore } from './store/index.ts';
import { openOrRecoverDeviceStore } from './store/recover.ts';
import { Agent } from './runtime/agent.ts';
import { buildEnforcers } from './runtime/enforcers.ts';
import { studentForService, systemSubordinateUids, type StudentUser } from './runtime/student-user.ts';
import { studentLoginName } from './sync/device-facts.ts';
import { DEFAULT_PROXY_ADDRESS } from './browser/index.ts';
import { OsSchema, type Os } from '../core/categories.ts';
import type { Logger } from './runtime/logger.ts';
import { probeNetwork } from './runtime/network-probe.ts';
import { startServerSync } from './sync/start-sync.ts';
import { lesmodusVersion } from '../adapters/version.ts';
import { systemClockSources, TrustedClock } from './runtime/trusted-clock.ts';
import { currentBootId, readClockAnchor, writeClockAnchor } from './runtime/clock-anchor.ts';
import { DEFAULT_CONTROL_SOCKET, startControlSocket } from './control/server.ts';
import { readStatus } from './runtime/status-file.ts';
import { ownerOnlyDataDir } from './runtime/data-dir.ts';
import { enforceRetention, RETENTION_CRON } from './runtime/retention.ts';

/** Where MDM puts the agent's configuration on Linux (Windows and macOS locations come with the packaging). */
export const DEFAULT_CONFIG_PATH = '/etc/lesmodus/config.json';
/** Timetables change during the day (a cancelled lesson, a moved room); schools publish feeds that refresh every few minutes. */
export const TIMETABLE_REFRESH_CRON = '*/15 * * * *';
/** The cached timetable is trusted this long without a fresh fetch (the server issue signs 14 days ahead too). */
const SCHEDULE_VALID_MS = 14 * 24 * 3_600_000;
/** Walking onto the school's Wi-Fi should bring art. III.A.2 into force within about this long. */
export const NETWORK_CHECK_MS = 30_000;
/** How often the wall clock is compared with the agent's own count (a moved clock is logged within this). */
export const CLOCK_CHECK_MS = 15_000;

export type NetworkMode = 'auto' | 'yes' | 'no';

/** How the agent runs: what `lesmodus agent`, the packaged service and the demo's laptop each pass. */
export interface StartAgentOptions {
  /** A local iCalendar timetable; without one the schedule comes from the server in the config. */
  readonly timetable?: string;
  readonly dataDir: string;
  readonly dryRun: boolean;
  readonly policyPath?: string;
  readonly configPath?: string;
  readonly network: NetworkMode;
  readonly log: Logger;
  /** The student: whose apps are stopped, and the login reported at enrollment. */
  readonly student: StudentUser;
  /** Prefix for every browser policy path ("/" by default; tests and the demo use a folder of their own). */
  readonly browserPolicyRoot?: string;
  /** The browsers' decision proxy port on 127.0.0.1 (default DEFAULT_PROXY_ADDRESS.port; 0: any free port). */
  readonly proxyPort?: number;
  /** The OS whose enforcers run (default: this one). */
  readonly os?: Os;
  /** A fixed clock for tests; by default the agent keeps a TrustedClock (see trusted-clock.ts). */
  readonly now?: () => number;
  /** Where `lesmodus agent unlock` (and the tray) reach the agent; default DEFAULT_CONTROL_SOCKET. */
  readonly controlSocket?: string;
}

function currentOs(): Os {
  const os = OsSchema.safeParse(process.platform);
  if (!os.success) throw new Error(`Lesmodus enforces on Windows, macOS and Linux, not on ${process.platform}`);
  return os.data;
}

/**
 * The MDM-delivered config, read so that one bad value costs only itself:
 * each problem is logged with its key and the rest is used (see readAgentConfig).
 */
export function loadAgentConfig(path: string | undefined, log: Logger): ConfigReading {
  const file = path ?? (existsSync(DEFAULT_CONFIG_PATH) ? DEFAULT_CONFIG_PATH : undefined);
  if (!file) return readAgentConfig({});
  const reading = readAgentConfig(readJsonFile(file));
  for (const problem of reading.problems) log.warn(`${file}: ${problem}`);
  if (reading.refused.includes('server')) {
    log.error(`${file}: the server section is not valid, so this laptop neither syncs nor takes new exceptions; it keeps enforcing its cached schedule. Fix the MDM profile.`);
  }
  return reading;
}

async function refreshTimetable(store: DeviceStore, source: string, zone: string, now: () => number, log: Logger): Promise<void> {
  try {
    const timetable = await loadTimetable(source, { schoolTimeZone: zone });
    const fetchedAt = now();
    store.replaceSchedule(timetable.lessons, { source, fetchedAt, validUntil: fetchedAt + SCHEDULE_VALID_MS, signature: null, keyId: null });
    for (const warning of timetable.warnings) log.warn(`timetable: ${warning.event ? `${warning.event}: ` : ''}${warning.message}`);
    log.info(`timetable: ${timetable.lessons.length} lessons from ${source}`);
  } catch (error) {
    const cached = store.scheduleMeta();
    const keeping = cached ? `keeping the timetable fetched ${new Date(cached.fetchedAt).toISOString()}` : 'no cached timetable: only art. III.A.2 at school applies';
    log.error(`timetable: ${(error as Error).message}; ${keeping}`);
  }
}

/** Whether a stored grant lifts anything for this student now (it may wait for their consent, III.B.9). */
function grantTakesEffect(store: DeviceStore, grantId: string, policy: Policy, catalog: CatalogIndex, at: number): boolean {
  const stored = store.activeGrants(at).find((g) => g.id === grantId);
  const grant = stored === undefined ? undefined : GrantSchema.safeParse(JSON.parse(stored.raw));
  if (!grant?.success) return true; // expired or unreadable: nothing to hold back
  return liftsAnything(grant.data.allow, policy, catalog, store.scheduleMeta()?.consents ?? undefined, at);
}

function networkResolver(mode: NetworkMode, config: AgentConfig, log: Logger): () => Promise<boolean> {
  if (mode !== 'auto') return async () => mode === 'yes';
  const { schoolNetwork } = config;
  if (schoolNetwork.cidrs.length + schoolNetwork.gateways.length + schoolNetwork.ssids.length === 0) {
    log.warn('no school network configured (schoolNetwork in the config): art. III.A.2 will only apply in online lessons');
  }
  return async () => matchSchoolNetwork(await probeNetwork(), schoolNetwork).onSchoolNetwork;
}

/**
 * Runs the agent until `signal` aborts, standalone (a local timetable) or synced with
 * the server its config names, with this OS's enforcers; returns when it has shut
 * down cleanly. Every way the agent is started (the CLI, the service units, the
 * demo) comes here, so none of them builds enforcers or wiring of its own.
 */
export async function startAgent(options: StartAgentOptions, signal: AbortSignal): Promise<void> {
  const { log } = options;
  ownerOnlyDataDir(options.dataDir);
  const policy = loadPolicy(options.policyPath);
  const catalog = loadCatalogIndex();
  const { config, refused } = loadAgentConfig(options.configPath, log);
  let store: DeviceStore | undefined;
  /** A tamper seen before the store is open (a clock set back while the agent was off) is written once it is. */
  const early: { kind: string; detail: string }[] = [];
  const statusFile = join(options.dataDir, 'status.json');
  const lastRun = readStatus(statusFile);
  // Until the trusted clock exists (it needs the store's schedule), only the name of a damaged store's copy is taken from the wall clock.
  let clockNow: () => number = Date.now;
  const now = options.now ?? (() => clockNow());
  const opened = openOrRecoverDeviceStore(join(options.dataDir, 'device.db'), now);
  store = opened.store;
  const bootId = currentBootId();
  const savedAnchor = readClockAnchor(options.dataDir);
  const clock = options.now ? null : new TrustedClock({
    sources: systemClockSources(),
    verifiable: config.server !== undefined,
    ...(lastRun ? { floor: Date.parse(lastRun.updatedAt) } : {}),
    ...(savedAnchor ? { resume: { anchor: savedAnchor, bootId } } : {}),
    scheduleEnd: () => store?.scheduleMeta()?.validUntil ?? null,
    info: (message) => log.info(message),
    onTamper: ({ kind, detail }) => {
      log.warn(`tamper: ${detail}`);
      if (store === undefined) early.push({ kind, detail });
      else store.appendEvent({ type: 'tamper', policyVersion: policy.version, payload: { kind, detail } });
    },
  });
  if (clock) clockNow = clock.now;
  /** The clock's anchor on disk, so a restart (or a reboot) carries on from it; a full disk costs only this. */
  const saveAnchor = () => {
    if (clock === null) return;
    try {
      writeClockAnchor(options.dataDir, clock.anchorToSave(bootId));
    } catch (error) {
      log.warn(`clock: could not save the clock's anchor (${(error as Error).message})`);
    }
  };
  if (opened.recovered !== null) {
    const { movedTo, code, message } = opened.recovered;
    log.error(`${message} It was moved aside to ${movedTo}; the agent enforces from a fresh store and fetches its schedule again.`);
    early.push({ kind: 'store-corrupt', detail: `the device store could not be used (${code}) and was moved aside to ${basename(movedTo)}; enforcing from a fresh store` });
  }
  // The database and its -wal/-shm files exist now: owner-only too (SQLite gives new journal files the database's mode).
  ownerOnlyDataDir(options.dataDir);
  for (const payload of early) store.appendEvent({ type: 'tamper', policyVersion: policy.version, payload });
  try {
    const { timetable } = options;
    // A refused server section is IT's to fix; until then the cached schedule is enforced rather than nothing.
    if (timetable === undefined && config.server === undefined && !refused.includes('server')) throw new Error('no timetable: give --timetable, or a server in the agent config (--config)');
    if (timetable !== undefined && config.server !== undefined) log.warn(`--timetable ${timetable} is ignored: the schedule comes from ${config.server.url}`);
    if (timetable !== undefined && config.server === undefined) await refreshTimetable(store, timetable, policy.timeZone, now, log);
    const onSchoolNetwork = networkResolver(options.network, config, log);
    let agent: Agent | undefined;
    const student = await studentForService(options.student, () => studentLoginName({}));
    if (student.uid === null) log.warn('processes: no student known (no --user, and nobody but root is logged in): no app is stopped until the service is told whom it acts for');
    else if (student !== options.student) log.info(`processes: acting for ${student.loginName ?? student.uid}, the user logged in`);
    const enforcers = buildEnforcers({
      os: options.os ?? currentOs(), catalog, now, log, dryRun: options.dryRun, studentUid: student.uid,
      subordinateUids: student.subordinateUids ?? systemSubordinateUids(student),
      browserPolicyRoot: options.browserPolicyRoot ?? '/',
      proxyAddress: { host: DEFAULT_PROXY_ADDRESS.host, port: options.proxyPort ?? DEFAULT_PROXY_ADDRESS.port },
      report: (block) => agent?.reportBlock(block),
    });
    agent = new Agent({
      store, policy, catalog, now, onSchoolNetwork, enforcers, log,
      statusFile,
      dryRun: options.dryRun,
      // Read only once the agent runs, by which time the sync below has started.
      ...(config.server !== undefined ? { syncStatus: () => sync!.client.status() } : {}),
    });

    // With a server, its signed schedule is the timetable: a local feed would overwrite it.
    const refresh = timetable === undefined || config.server !== undefined ? undefined : cron.schedule(TIMETABLE_REFRESH_CRON, async () => {
      await refreshTimetable(store, timetable, policy.timeZone, now, log);
      agent?.wake();
    });
    const sync = startServerSync({
      config, dataDir: options.dataDir, store, now, log, policyVersion: policy.version,
      agentVersion: lesmodusVersion(), studentLogin: student.loginName, wake: () => agent?.wake(), dryRun: options.dryRun,
      takesEffect: (grantId) => grantTakesEffect(store, grantId, policy, catalog, now()),
      ...(clock ? { onServerTime: (serverTime: number, roundTripMs: number) => clock.observeServer(serverTime, roundTripMs) } : {}),
    });
    saveAnchor();
    const clockWatch = clock ? setInterval(() => {
      clock.check();
      saveAnchor();
    }, CLOCK_CHECK_MS) : undefined;
    const retain = () => {
      try {
        enforceRetention(store, now(), log);
      } catch (error) {
        log.warn(`retention: ${(error as Error).message}`);
      }
    };
    retain();
    const retention = cron.schedule(RETENTION_CRON, retain, { name: 'lesmodus-retention' });
    const controlPath = options.controlSocket ?? DEFAULT_CONTROL_SOCKET;
    const control = await startControlSocket(controlPath, {
      sync: sync?.client ?? null, timeZone: policy.timeZone, log,
      status: () => agent?.status,
      subscribe: (send) => {
        const stopStatus = agent!.onStatus((status) => send({ type: 'status', status }));
        const stopNotices = agent!.onNotice((notice) => send({ type: 'notice', notice: { at: new Date(notice.at).toISOString(), ...notice.message } }));
        return () => {
          stopStatus();
          stopNotices();
        };
      },
    }).catch((error: unknown) => {
      log.warn(`a teacher cannot unlock on this laptop: could not listen on ${controlPath} (${(error as Error).message})`);
      return null;
    });
    let lastNetwork: boolean | undefined;
    const networkWatch = options.network === 'auto'
      ? setInterval(async () => {
          const current = await onSchoolNetwork().catch(() => lastNetwork);
          if (lastNetwork !== undefined && current !== lastNetwork) agent?.wake();
          lastNetwork = current;
        }, NETWORK_CHECK_MS)
      : undefined;
    try {
      await agent.run(signal);
    } finally {
      await refresh?.stop();
      await retention.stop();
      clearInterval(networkWatch);
      clearInterval(clockWatch);
      saveAnchor();
      control?.close();
      await sync?.stop();
    }
  } finally {
    store.close();
  }
}
