// Small process, network and file helpers shared by the local infrastructure scripts.
// Node built-ins only: these run before anything else in CI.
import { type SpawnOptions, spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  statSync,
} from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root, found from this file (scripts/src/infra/util.ts), not from the cwd. */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url)).replace(/\/$/, '');
/** Git-ignored state of `npm run infra`: pids, ports, data dirs, logs. */
export const infraDir = process.env.INFRA_DIR ?? join(repoRoot, '.infra');
/** Git-ignored download cache (Kafka jars). */
export const cacheDir = join(repoRoot, '.cache');

export const HOST = '127.0.0.1';

/** An expected failure: the CLI prints its message (no stack) and exits 1. */
export class InfraError extends Error {
  override name = 'InfraError';
}

export function ensureDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function log(message: string): void {
  process.stderr.write(`infra: ${message}\n`);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it returns true or `timeoutMs` passes; returns whether it succeeded. */
export async function waitUntil(
  probe: () => Promise<boolean> | boolean,
  timeoutMs: number,
  intervalMs = 250,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(intervalMs);
  }
}

/** Opens a TCP connection, optionally writes `send`, and resolves with what came back first. */
export function tcpExchange(
  port: number,
  send: Buffer | string | undefined,
  timeoutMs = 1500,
  minBytes = 1,
  host = HOST,
): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    let done = false;
    let received = Buffer.alloc(0);
    const finish = (value: Buffer | undefined) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(value);
    };
    const timer = setTimeout(() => finish(received.length > 0 ? received : undefined), timeoutMs);
    socket.on('error', () => finish(undefined));
    socket.on('connect', () => {
      if (send === undefined) finish(Buffer.alloc(0));
      else socket.write(send);
    });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      // Callers only look at the start of the reply.
      if (received.length >= minBytes) finish(received);
    });
    socket.on('end', () => finish(received.length > 0 ? received : undefined));
  });
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export async function isListening(port: number, host = HOST): Promise<boolean> {
  return (await tcpExchange(port, undefined, 1000, 1, host)) !== undefined;
}

/** True when the port can be bound on 127.0.0.1 right now. */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host: HOST, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** `preferred` when it can be bound, otherwise a port the OS hands out. */
export async function freePort(preferred?: number): Promise<number> {
  if (preferred !== undefined && (await isPortFree(preferred))) return preferred;
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host: HOST, port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
  /** Set when the command could not be started (ENOENT…) or timed out. */
  error?: Error;
}

/** Runs a command to completion and captures its output (never throws). */
export function run(
  command: string,
  args: readonly string[],
  options: { cwd?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv; input?: string } = {},
): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let error: Error | undefined;
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            error = new Error(`${command} timed out after ${options.timeoutMs} ms`);
            child.kill('SIGKILL');
          }, options.timeoutMs);
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
    child.on('error', (err) => {
      error = err;
    });
    child.on('close', (status) => {
      if (timer) clearTimeout(timer);
      resolve({ status: error ? null : status, stdout, stderr, error });
    });
  });
}

/** Runs a command and throws an InfraError naming it, with its output, when it fails. */
export async function runOrThrow(
  what: string,
  command: string,
  args: readonly string[],
  options: Parameters<typeof run>[2] = {},
): Promise<RunResult> {
  const result = await run(command, args, options);
  if (result.status !== 0) {
    const output = `${result.stdout}\n${result.stderr}`.trim();
    throw new InfraError(
      `${what} failed (${[command, ...args].join(' ')}): ${
        result.error?.message ?? `exit code ${result.status}`
      }${output ? `\n${indent(tail(output, 40))}` : ''}`,
    );
  }
  return result;
}

/** Full path of an executable on PATH, or undefined. */
export function which(command: string): string | undefined {
  const result = spawnSync('sh', ['-c', 'command -v "$1"', 'sh', command], { encoding: 'utf8' });
  const found = result.stdout?.trim();
  return result.status === 0 && found ? found : undefined;
}

/** Starts a long-running process detached from this one, output appended to `logFile`. */
export function spawnDetached(
  command: string,
  args: readonly string[],
  logFile: string,
  options: Pick<SpawnOptions, 'cwd' | 'env'> = {},
): number {
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn(command, args, {
      ...options,
      detached: true,
      stdio: ['ignore', fd, fd],
    });
    if (child.pid === undefined) {
      throw new InfraError(`could not start ${command} (is it installed and on PATH?)`);
    }
    // A spawn error (ENOENT) arrives asynchronously; keep it from crashing the CLI, the readiness
    // check reports the failure with the log tail.
    child.on('error', (err) => log(`${command}: ${err.message}`));
    child.unref();
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

/** True while the process exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    // /proc/<pid>/stat: "pid (comm) S ..."; a zombie has exited already.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return true; // no /proc (macOS): trust kill(0)
  }
}

/** The command line of a process, or undefined when it is gone or unreadable. */
export function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    const result = spawnSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' });
    return result.status === 0 ? result.stdout.trim() : undefined;
  }
}

/** True when `pid` is alive and its command line contains `marker` (guards against pid reuse). */
export function isOurProcess(pid: number | undefined, marker: string): pid is number {
  if (pid === undefined || !isAlive(pid)) return false;
  const cmd = commandLine(pid);
  return cmd === undefined || cmd.includes(marker);
}

/** SIGTERM, wait up to `graceMs` for exit, then SIGKILL. Returns false when it had to kill. */
export async function terminate(pid: number, graceMs: number): Promise<boolean> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return true;
  }
  if (await waitUntil(() => !isAlive(pid), graceMs, 200)) return true;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
  await waitUntil(() => !isAlive(pid), 5000, 100);
  return false;
}

export function readPid(file: string): number | undefined {
  if (!existsSync(file)) return undefined;
  const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** The last `lines` lines of a text. */
export function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** The last `lines` lines of a (possibly large) log file, or a note that it is missing. */
export function tailFile(file: string, lines = 40): string {
  if (!existsSync(file)) return `(no ${file})`;
  const size = statSync(file).size;
  const length = Math.min(size, 64 * 1024);
  const buffer = Buffer.alloc(length);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buffer, 0, length, size - length);
  } finally {
    closeSync(fd);
  }
  const text = buffer.toString('utf8');
  return text.trim() ? tail(text, lines) : `(${file} is empty)`;
}

export function indent(text: string, prefix = '    '): string {
  return text
    .split('\n')
    .map((line) => prefix + line)
    .join('\n');
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}
