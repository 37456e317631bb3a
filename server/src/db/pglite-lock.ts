import { closeSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';

/**
 * PGlite is PostgreSQL in one process, without PostgreSQL's own guard against a second postmaster:
 * two processes that open one data directory both write to it, and the directory is destroyed ("npm
 * run demo" while "npm start" ran: RuntimeError: Aborted() on the next start, every key lost — issue
 * 13, finding 10). So the directory is locked first: a lock file inside it, created exclusively, that
 * holds the owner's process id. A lock left by a process that no longer runs (kill -9, a crash) is
 * taken over; a live owner makes the second process stop with a message that says what to do.
 */
export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly ownerPid: number,
  ) {
    super(`the data directory ${dataDir} is in use by process ${ownerPid}; stop it or use DATABASE_URL`);
  }
}

export const LOCK_FILE = 'touchpoint.lock';

/** Directories this process holds: a lock file with our own pid is stale unless it is one of these. */
const heldHere = new Set<string>();

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0: only asks whether the process exists
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // exists, but is someone else's
  }
}

function readOwner(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** Locks `dataDir` (which must exist) for this process; returns the release function. */
export function lockDataDir(dataDir: string): () => void {
  const file = path.join(dataDir, LOCK_FILE);
  if (heldHere.has(path.resolve(dataDir))) throw new DataDirInUseError(dataDir, process.pid);
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = readOwner(file);
      // Our own pid in a directory we do not hold: a lock from an earlier life of this pid (a container's pid 1).
      if (owner !== null && owner !== process.pid && isRunning(owner)) throw new DataDirInUseError(dataDir, owner);
      if (attempt >= 2) throw new DataDirInUseError(dataDir, owner ?? 0);
      // Stale: moved aside (one atomic rename: of two processes doing this, one finds nothing to move),
      // then created again exclusively.
      const aside = `${file}.stale-${process.pid}`;
      try {
        renameSync(file, aside);
      } catch (renameError) {
        if ((renameError as NodeJS.ErrnoException).code !== 'ENOENT') throw renameError;
      }
      rmSync(aside, { force: true });
    }
  }
  heldHere.add(path.resolve(dataDir));
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    heldHere.delete(path.resolve(dataDir));
    if (readOwner(file) === process.pid) rmSync(file, { force: true });
  };
  // An exit without close() (process.exit after a failed start) still frees the directory.
  process.once('exit', release);
  return () => {
    process.removeListener('exit', release);
    release();
  };
}
