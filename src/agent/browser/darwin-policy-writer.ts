import { filePolicyWriter, type FilePolicyWriterOptions, type WriteReport } from './file-policy-writer.ts';
import type { PolicyWriter } from './browser-enforcer.ts';
import { darwinPolicyPlan } from './darwin-policy-plan.ts';

export type DarwinPolicyWriterOptions = FilePolicyWriterOptions;

/**
 * Writes the managed-preference plists directly. cfprefsd caches preferences,
 * so how soon a running browser sees a change is for a Mac to show; the
 * decision proxy makes sites follow at once regardless.
 */
export function darwinPolicyWriter(options: DarwinPolicyWriterOptions): PolicyWriter<WriteReport> {
  return filePolicyWriter(darwinPolicyPlan, options);
}
