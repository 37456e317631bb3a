import { redactSecrets } from './redact.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** `{"a":1}` → `,"a":1}`, `{}` → `}`: an object's members appended to an object being written. */
const spliced = (json: string) => (json.length > 2 ? `,${json.slice(1)}` : '}');

/**
 * One JSON object per line, so logs can be shipped and queried as they are. Every line goes through
 * redactSecrets (redact.ts): a password or key inside any field (an error message quoting a
 * connection string, a URL with ?sdkKey=) is masked whoever logged it.
 */
export function createLogger(level: LogLevel = 'info', write: (line: string) => void = stdoutLines()): Logger {
  // The time is formatted once per millisecond, however many lines share it (a request line each).
  let lastMs = Number.NaN;
  let lastTime = '';
  const time = () => {
    const ms = Date.now();
    if (ms !== lastMs) {
      lastMs = ms;
      lastTime = new Date(ms).toISOString();
    }
    return lastTime;
  };
  // Messages are a handful of constant strings (a request line each): their JSON is kept.
  const messageJson = new Map<string, string>();
  const quoted = (message: string) => {
    let json = messageJson.get(message);
    if (json === undefined) {
      json = JSON.stringify(message);
      if (messageJson.size < 1000) messageJson.set(message, json);
    }
    return json;
  };
  const log = (at: LogLevel) => {
    const head = `","level":"${at}","message":`;
    return (message: string, fields: LogFields = {}) => {
      if (ORDER[at] < ORDER[level]) return;
      // The fields' JSON spliced after time, level and message (the same line as a spread object, without
      // building one), unless a field would take one of those names.
      const line = 'time' in fields || 'level' in fields || 'message' in fields
        ? JSON.stringify({ time: time(), level: at, message, ...fields })
        : `{"time":"${time()}${head}${quoted(message)}${spliced(JSON.stringify(fields))}`;
      write(redactSecrets(line));
    };
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

let stdoutWriter: ((line: string) => void) | undefined;

/**
 * Lines to stdout, written together once per turn of the event loop instead of one system call each
 * (a request line per request made that write a sizeable part of a /sdk/config request's cost, issue
 * 16). Whatever is buffered is written when the process exits, by process.exit() or after an
 * uncaught exception (stdout is synchronous for files and pipes on Linux); only a SIGKILL can lose
 * the lines of the last turn.
 */
function stdoutLines(): (line: string) => void {
  if (stdoutWriter) return stdoutWriter;
  let buffered = '';
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (buffered === '') return;
    const out = buffered;
    buffered = '';
    process.stdout.write(out);
  };
  process.on('exit', flush);
  stdoutWriter = (line) => {
    buffered += `${line}\n`;
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
  return stdoutWriter;
}

/** A logger that keeps lines in memory, for tests. */
export function createMemoryLogger(): Logger & { lines: LogFields[] } {
  const lines: LogFields[] = [];
  const logger = createLogger('debug', (line) => lines.push(JSON.parse(line) as LogFields));
  return Object.assign(logger, { lines });
}
