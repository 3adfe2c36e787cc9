import { basename, join } from 'node:path';
import cron from 'node-cron';
import { loadCatalogIndex, loadPolicy } from '../adapters/resources.ts';
import { CatalogUpdater, startingCatalog } from './catalog/catalog-updates.ts';
import { loadTimetable } from '../adapters/timetable-source.ts';
import type { AgentConfig } from '../core/config/agent-config.ts';
import { matchSchoolNetwork } from '../core/network/school-network.ts';
import type { DeviceStore } from './store/index.ts';
import { openOrRecoverDeviceStore } from './store/recover.ts';
import { Agent } from './runtime/agent.ts';
import { buildEnforcers } from './runtime/enforcers.ts';
import type { StudentUser } from './runtime/student-user.ts';
import { consoleLogin, SESSION_CHECK_MS, StudentFollower, type FollowedStudent } from './runtime/student-follower.ts';
import { studentLoginName } from './sync/device-facts.ts';
import { DEFAULT_PROXY_ADDRESS } from './browser/index.ts';
import { OsSchema, type Os } from '../core/categories.ts';
import type { Logger } from './runtime/logger.ts';
import { probeNetwork } from './runtime/network-probe.ts';
import { startServerSync } from './sync/start-sync.ts';
import { lesmodusVersion } from '../adapters/version.ts';
import { systemClockSources, TrustedClock } from './runtime/trusted-clock.ts';
import { currentBootId, readClockAnchor, writeClockAnchor } from './runtime/clock-anchor.ts';
import { DEFAULT_CONTROL_SOCKET, MAX_CONNECTIONS, startControlSocket } from './control/server.ts';
import { DescriptorBudget } from './runtime/fd-budget.ts';
import { guardFailureReporter } from './runtime/guard-failures.ts';
import { readStatus } from './runtime/status-file.ts';
import { ownerOnlyDataDir } from './runtime/data-dir.ts';
import { enforceRetention, RETENTION_CRON } from './runtime/retention.ts';
import { runCommand } from './config/command-runner.ts';
import { watchConfig } from './config/config-watch.ts';
import { configSources, loadConfig, logConfig } from './config/load-config.ts';
import { SyncError } from './sync/server-client.ts';

/** Timetables change during the day (a cancelled lesson, a moved room); schools publish feeds that refresh every few minutes. */
export const TIMETABLE_REFRESH_CRON = '*/15 * * * *';
/** The cached timetable is trusted this long without a fresh fetch (the server issue signs 14 days ahead too). */
const SCHEDULE_VALID_MS = 14 * 24 * 3_600_000;
/** Walking onto the school's Wi-Fi should bring art. III.A.2 into force within about this long. */
export const NETWORK_CHECK_MS = 30_000;
/** How often the wall clock is compared with the agent's own count (a moved clock is logged within this). */
export const CLOCK_CHECK_MS = 15_000;

/**
 * Browser connections through the decision proxy at once. Chrome and Firefox
 * open at most 32 per proxy each; this leaves room for several browsers and
 * profiles, and bounds what a flood of 127.0.0.1 connections can hold.
 */
const PROXY_CONNECTIONS = 512;

export type NetworkMode = 'auto' | 'yes' | 'no';

/** How the agent runs: what `lesmodus agent`, the packaged service and the demo's laptop each pass. */
export interface StartAgentOptions {
  /** A local iCalendar timetable; without one the schedule comes from the server in the config. */
  readonly timetable?: string;
  readonly dataDir: string;
  readonly dryRun: boolean;
  readonly policyPath?: string;
  /** One JSON config file instead of this OS's MDM stores (see src/agent/config/load-config.ts). */
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

function networkResolver(mode: NetworkMode, config: () => AgentConfig, log: Logger): () => Promise<boolean> {
  if (mode !== 'auto') return async () => mode === 'yes';
  const { schoolNetwork } = config();
  if (schoolNetwork.cidrs.length + schoolNetwork.gateways.length + schoolNetwork.ssids.length === 0) {
    log.warn('no school network configured (schoolNetwork in the config): art. III.A.2 will only apply in online lessons');
  }
  // The config as it is now: a changed profile takes effect at the next probe.
  return async () => matchSchoolNetwork(await probeNetwork(), config().schoolNetwork).onSchoolNetwork;
}

function logStudent(student: FollowedStudent, followed: boolean, log: Logger): void {
  if (student.uid === null) log.warn('processes: no student known (no --user, and nobody but root is at the console): no app is stopped until someone logs in or the service is told whom it acts for');
  else if (followed) log.info(`processes: acting for ${student.loginName ?? student.uid}, the user at the console`);
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
  const os = options.os ?? currentOs();
  const sources = configSources(options.configPath, { os, run: runCommand, agentUid: process.getuid?.() ?? null, ...(process.env.ProgramData ? { programData: process.env.ProgramData } : {}) });
  const loaded = await loadConfig(sources);
  logConfig(loaded, log);
  let { config } = loaded;
  const { refused } = loaded;
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
  // The school's catalog as its server last signed it, else the bundled one; switched live when the server names another.
  const starting = startingCatalog({ dataDir: options.dataDir, publicKeyPem: config.server?.publicKey ?? null, bundled: loadCatalogIndex(), now: now() });
  const catalog = starting.live;
  if (starting.problem !== null) {
    log.warn(`catalog: ${starting.problem}`);
    early.push({ kind: 'catalog-refused', detail: starting.problem.slice(0, 240) });
  }
  log.info(`catalog: ${catalog.inUse.version} (${catalog.inUse.source === 'server' ? "the school server's" : 'bundled'})`);
  for (const payload of early) store.appendEvent({ type: 'tamper', policyVersion: policy.version, payload });
  try {
    const { timetable } = options;
    // A refused server section is IT's to fix; until then the cached schedule is enforced rather than nothing.
    if (timetable === undefined && config.server === undefined && !refused.includes('server')) throw new Error('no timetable: give --timetable, or a server in the agent config (--config)');
    if (timetable !== undefined && config.server !== undefined) log.warn(`--timetable ${timetable} is ignored: the schedule comes from ${config.server.url}`);
    if (timetable !== undefined && config.server === undefined) await refreshTimetable(store, timetable, policy.timeZone, now, log);
    const onSchoolNetwork = networkResolver(options.network, () => config, log);
    let agent: Agent | undefined;
    const students = await StudentFollower.start({ given: options.student, consoleLogin: consoleLogin(() => studentLoginName({})), dryRun: options.dryRun });
    const student = students.current;
    logStudent(student, students.follows, log);
    // Whatever listens shares one descriptor budget, so a flood of connections never takes what the guard needs.
    const descriptors = new DescriptorBudget();
    const controlConnections = descriptors.claim(MAX_CONNECTIONS);
    const enforcers = buildEnforcers({
      os, catalog, now, log, dryRun: options.dryRun, studentUid: student.uid, subordinateUids: student.subordinateUids,
      browserPolicyRoot: options.browserPolicyRoot ?? '/',
      proxyAddress: { host: DEFAULT_PROXY_ADDRESS.host, port: options.proxyPort ?? DEFAULT_PROXY_ADDRESS.port },
      proxyMaxConnections: Math.floor(descriptors.claim(2 * PROXY_CONNECTIONS) / 2),
      report: (block) => agent?.reportBlock(block),
      onGuardFailure: guardFailureReporter((detail) => agent?.reportTamper('guard-failure', detail)),
      reportTamper: (kind, detail) => agent?.reportTamper(kind, detail),
      onCatalogChange: (listener) => catalog.onChange(listener),
    });
    // The decision and every enforcer follow a new catalog at once.
    catalog.onChange(() => agent?.wake());
    const catalogUpdates = new CatalogUpdater({ live: catalog, dataDir: options.dataDir, store, now, policyVersion: policy.version, log });
    agent = new Agent({
      store, policy, catalog, now, onSchoolNetwork, enforcers: enforcers.all, log,
      apps: () => students.apps(),
      catalogInUse: () => catalog.inUse,
      statusFile,
      dryRun: options.dryRun,
      // Read only once the agent runs, by which time the sync below has started.
      ...(config.server !== undefined ? { syncStatus: () => sync?.client.status() ?? null } : {}),
    });

    // With a server, its signed schedule is the timetable: a local feed would overwrite it.
    const refresh = timetable === undefined || config.server !== undefined ? undefined : cron.schedule(TIMETABLE_REFRESH_CRON, async () => {
      await refreshTimetable(store, timetable, policy.timeZone, now, log);
      agent?.wake();
    });
    const startSync = () => startServerSync({
      config, dataDir: options.dataDir, store, now, log, policyVersion: policy.version,
      agentVersion: lesmodusVersion(), studentLogin: student.loginName, wake: () => agent?.wake(), dryRun: options.dryRun, catalog: catalogUpdates,
      ...(clock ? { onServerTime: (serverTime: number, roundTripMs: number) => clock.observeServer(serverTime, roundTripMs) } : {}),
    });
    let sync = startSync();
    // A new profile (another secret, a moved server) applies without a restart; a new school network at the next probe.
    const configWatch = watchConfig({
      initial: loaded,
      load: () => loadConfig(sources),
      watchPaths: sources.sources.flatMap((s) => s.watchPaths),
      onError: (error) => log.warn(`config: could not read it again (${error.message}); keeping the settings in use`),
      onSighup: () => log.info(`config: reading ${sources.sources.map((s) => s.origin).join(' + ')} again (SIGHUP)`),
      onChange: async (next, previous) => {
        log.info(`config: changed in ${next.origins}; applying it`);
        logConfig(next, log);
        config = next.config;
        if (JSON.stringify(next.config.server) !== JSON.stringify(previous.config.server)) {
          await sync?.stop();
          // Shutting down meanwhile: no new sync on a store about to close.
          if (!signal.aborted) sync = startSync();
        }
        agent?.wake();
      },
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
    const ownerOf = (uid: number) => {
      const { uid: studentUid, subordinateUids } = students.current;
      return typeof studentUid === 'number' && subordinateUids.some((r) => uid >= r.start && uid < r.start + r.count) ? studentUid : uid;
    };
    const control = await startControlSocket(controlPath, {
      // The sync in use when the teacher asks (a new profile may have started another).
      sync: sync === null ? null : {
        unlock: (request) => {
          if (sync === null) throw new SyncError('no school server in the config any more', { retryable: false });
          return sync.client.unlock(request);
        },
      },
      timeZone: policy.timeZone, log,
      status: () => agent?.status,
      subscribe: (send) => {
        const stopStatus = agent!.onStatus((status) => send({ type: 'status', status }));
        const stopNotices = agent!.onNotice((notice) => send({ type: 'notice', notice: { at: new Date(notice.at).toISOString(), ...notice.message } }));
        return () => {
          stopStatus();
          stopNotices();
        };
      },
    }, {
      maxConnections: controlConnections, ownerOf,
      onFlood: (detail) => agent?.reportTamper('control-flood', detail),
    }).catch((error: unknown) => {
      log.warn(`a teacher cannot unlock on this laptop: could not listen on ${controlPath} (${(error as Error).message})`);
      return null;
    });
    const sessionWatch = students.follows
      ? setInterval(async () => {
          const switched = await students.check().catch(() => null);
          if (switched === null) return;
          enforcers.processes.setStudent(switched.uid, switched.subordinateUids);
          logStudent(switched, true, log);
          agent?.wake(); // a new status: the tray and `agent status` say whose apps are stopped now
        }, SESSION_CHECK_MS)
      : undefined;
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
      configWatch.stop();
      await refresh?.stop();
      await retention.stop();
      clearInterval(networkWatch);
      clearInterval(sessionWatch);
      clearInterval(clockWatch);
      saveAnchor();
      control?.close();
      await sync?.stop();
    }
  } finally {
    store.close();
  }
}
