import { filePolicyWriter, type FilePolicyWriterOptions, type WriteReport } from './file-policy-writer.ts';
import type { PolicyWriter } from './browser-enforcer.ts';
import { linuxPolicyPlan } from './linux-policy-plan.ts';

export type LinuxPolicyWriterOptions = FilePolicyWriterOptions;

/** Writes Lesmodus's own policy files where each Linux browser reads managed policy. */
export function linuxPolicyWriter(options: LinuxPolicyWriterOptions): PolicyWriter<WriteReport> {
  return filePolicyWriter(linuxPolicyPlan, options);
}
