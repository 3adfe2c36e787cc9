import type { BrowserId } from './browsers.ts';
import { darwinPolicyPlan } from './darwin-policy-plan.ts';
import { applyPolicyFiles, type WriteReport } from './file-policy-writer.ts';
import type { PolicyWriter } from './browser-enforcer.ts';
import { nodePolicyFileSystem } from './node-policy-file-system.ts';
import type { PolicyFileSystem } from './policy-file-system.ts';

export interface DarwinPolicyWriterOptions {
  readonly root?: string;
  readonly dryRun: boolean;
  readonly browsers?: readonly BrowserId[];
  readonly fs?: PolicyFileSystem;
}

/**
 * Writes the managed-preference plists directly. cfprefsd caches preferences,
 * so how soon a running browser sees a change is for a Mac to show; the
 * decision proxy makes sites follow at once regardless.
 */
export function darwinPolicyWriter(options: DarwinPolicyWriterOptions): PolicyWriter<WriteReport> {
  const fs = options.fs ?? nodePolicyFileSystem(options.root ?? '/');
  return (restrictions, route) => applyPolicyFiles(darwinPolicyPlan(restrictions, route, options.browsers), fs, { dryRun: options.dryRun });
}
