import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

/** The server workspace: where `npm start` runs src/main.ts. */
const serverDir = path.resolve(import.meta.dirname, '../..');

export interface ServerProcess {
  child: ChildProcess;
  /** The address from the start-up banner. */
  url: string;
  /** Everything the process printed so far (stdout and stderr). */
  output: () => string;
}

/**
 * The real entry point as a user runs it (src/main.ts through tsx), on PGlite: `DATABASE_URL` is
 * removed, `PORT=0`, `LOG_LEVEL=warn`, plus `env` (which must give `DATA_DIR`). Resolves once the banner
 * says where it runs; rejects if the process exits first or prints no banner within `bannerTimeoutMs` (60 s).
 */
export function startServerProcess(env: Record<string, string>, { bannerTimeoutMs = 60_000 }: { bannerTimeoutMs?: number } = {}): Promise<ServerProcess> {
  const full: NodeJS.ProcessEnv = { ...process.env, PORT: '0', LOG_LEVEL: 'warn', INIT_CWD: serverDir, ...env };
  delete full.DATABASE_URL;
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', 'src/main.ts'], { cwd: serverDir, env: full });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start-up banner:\n${out}`)), bannerTimeoutMs);
    child.stdout.on('data', () => {
      const match = /running at (http:\/\/\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1]!, output: () => out });
      }
    });
    child.on('exit', (code) => reject(new Error(`exited with ${code}:\n${out}`)));
  });
}

/** SIGTERM (a graceful stop), resolved with the exit code. */
export const stopServerProcess = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
