/**
 * The file operations the policy writer needs, and no more. Paths are the
 * ones a browser reads ("/etc/chromium/policies/managed/…"); an
 * implementation may place them under a root (tests, --browser-policy-root).
 */
export interface PolicyFileSystem {
  /** The file's text, or null when it does not exist. */
  readText(path: string): Promise<string | null>;
  /** Names of the regular files in a directory; empty when it does not exist. */
  listFiles(dir: string): Promise<string[]>;
  /**
   * Replaces the file atomically and durably: a reader sees the old content
   * or the new, never a mix, and a crash does not leave it empty. Creates
   * missing directories.
   */
  writeAtomic(path: string, content: string): Promise<void>;
  /** Removes the file; false when it was not there. */
  remove(path: string): Promise<boolean>;
  /** Where `path` really is (the root applied), for messages. */
  describe(path: string): string;
}
