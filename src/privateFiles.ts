/**
 * The local state (ELASTIC_JOBS_DATA_DIR: the control database with its SAS tokens, scripts and
 * password ciphertexts, the master key) is for the user who runs the host alone: folders are
 * created 0700 and files 0600, whatever the umask would give (0755/0644 by default). Only what
 * this process creates is set; a folder or file that already exists keeps the mode its owner
 * chose. POSIX modes only: on Windows Node ignores them and the folder's ACL applies.
 */
import fs from 'node:fs';

export const PRIVATE_FOLDER_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Creates `dir` and any missing parent, each 0700. An existing folder is left as it is. */
export function makePrivateFolder(dir: string): void {
  // mkdir's mode passes through the umask; 0700 minus any usual umask is still 0700.
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_FOLDER_MODE });
}

/**
 * Creates `file` empty with mode 0600 unless it exists (then does nothing), so a program that
 * opens it next (SQLite) finds a private file instead of creating a 0644 one. The parent must exist.
 */
export function createPrivateFile(file: string): void {
  let fd: number;
  try {
    fd = fs.openSync(file, 'wx', PRIVATE_FILE_MODE);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw e;
  }
  fs.closeSync(fd);
}
