import type { PolicyWriter } from './browser-enforcer.ts';
import type { BrowserId } from './browsers.ts';
import { applyPolicyFiles, type WriteReport } from './file-policy-writer.ts';
import { linuxPolicyPlan } from './linux-policy-plan.ts';
import { nodePolicyFileSystem } from './node-policy-file-system.ts';
import type { PolicyFileSystem } from './policy-file-system.ts';

export interface LinuxPolicyWriterOptions {
  /** Prefix for every path (the agent's --browser-policy-root); "/" in production. */
  readonly root?: string;
  readonly dryRun: boolean;
  readonly browsers?: readonly BrowserId[];
  /** Replaces the real file system (tests). */
  readonly fs?: PolicyFileSystem;
}

export function linuxPolicyWriter(options: LinuxPolicyWriterOptions): PolicyWriter<WriteReport> {
  const fs = options.fs ?? nodePolicyFileSystem(options.root ?? '/');
  return (restrictions, route) => applyPolicyFiles(linuxPolicyPlan(restrictions, route, options.browsers), fs, { dryRun: options.dryRun });
}
