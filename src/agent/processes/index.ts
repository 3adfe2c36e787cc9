/**
 * The process guard: lists processes cheaply and often, and stops the apps a
 * decision blocks (graceful first, forced after a grace period, again on
 * every relaunch).
 */
export { ProcessGuard, DEFAULT_GRACE_MS, DEFAULT_INTERVAL_MS, type GuardTamperEvent, type ProcessBlockEvent, type ProcessGuardOptions, type ScanResult } from './guard.ts';
export { createProcessEnforcer, type ProcessEnforcer } from './enforcer.ts';
export { createProcessSource } from './create-source.ts';
export { createProcessKiller } from './killer.ts';
export { ownedBy, type Owner } from './ownership.ts';
export { initialMountNamespace, snapMountNamespaces } from './mount-namespaces.linux.ts';
export { createProcSource, SWEEP_PERIOD_MS, YOUNG_PROCESS_MS, type ProcSource, type ProcScanStats } from './proc-source.linux.ts';
export { createSystemInformationSource, type SiSourceOptions } from './si-source.ts';
export type { ProcessInfo, ProcessKiller, ProcessSource, SignalOutcome } from './types.ts';
