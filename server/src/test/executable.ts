import { accessSync, constants } from 'node:fs';
import path from 'node:path';

/**
 * Where an engine's server binary is, for suites that start their own (nats-server, clickhouse-server):
 * the path in `envVar`, else the first on PATH, else Debian's /usr/sbin. Undefined when none is there,
 * so the suite can say by name that it was skipped.
 */
export function findExecutable(envVar: string, name: string): string | undefined {
  const candidates = [process.env[envVar], ...(process.env.PATH ?? '').split(':').map((dir) => path.join(dir, name)), `/usr/sbin/${name}`];
  for (const candidate of candidates) {
    if (!candidate) continue;
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not there
    }
  }
  return undefined;
}
