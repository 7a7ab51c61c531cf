// PostgreSQL for integration tests: reuse a server that answers on 127.0.0.1:5432 (trust auth,
// user postgres), or start Debian's server binaries on a throwaway cluster.
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { PostgresState } from './state.js';
import {
  freePort,
  HOST,
  InfraError,
  infraDir,
  isListening,
  isRoot,
  log,
  run,
  runOrThrow,
  tailFile,
  which,
} from './util.js';

export const PG_PORT = Number(process.env.INFRA_PG_PORT ?? 5432);
export const PG_USER = 'postgres';
export const PG_DATABASE = 'test';

export function postgresUrl(port: number, host = HOST): string {
  return `postgres://${PG_USER}@${host}:${port}/${PG_DATABASE}`;
}

/** Environment for psql & co.: never prompt, fail fast. */
function pgEnv(): NodeJS.ProcessEnv {
  return { ...process.env, PGCONNECT_TIMEOUT: '5', PGPASSWORD: process.env.PGPASSWORD ?? '' };
}

function psql(port: number, database: string, sql: string) {
  const bin = which('psql');
  if (!bin) {
    throw new InfraError(
      'psql not found: install the PostgreSQL client (apt-get install postgresql-client)',
    );
  }
  return run(
    bin,
    ['-w', '-h', HOST, '-p', String(port), '-U', PG_USER, '-d', database, '-XAtqc', sql],
    {
      env: pgEnv(),
      timeoutMs: 15_000,
    },
  );
}

/** True when a PostgreSQL server accepts connections on the port (pg_isready, else TCP). */
export async function postgresAccepting(port: number): Promise<boolean> {
  const bin = which('pg_isready');
  if (!bin) return isListening(port);
  const result = await run(bin, ['-q', '-h', HOST, '-p', String(port), '-t', '3'], {
    timeoutMs: 10_000,
  });
  return result.status === 0;
}

/** True when we can log in as postgres (trust) and run a query: the server is usable. */
export async function postgresAnswers(port: number, database = 'postgres'): Promise<boolean> {
  if (!(await postgresAccepting(port))) return false;
  const result = await psql(port, database, 'select 1');
  return result.status === 0 && result.stdout.trim() === '1';
}

async function ensureDatabase(port: number): Promise<void> {
  const exists = await psql(
    port,
    'postgres',
    `select 1 from pg_database where datname = '${PG_DATABASE}'`,
  );
  if (exists.status !== 0) {
    throw new InfraError(
      `PostgreSQL on ${HOST}:${port}: cannot list databases:\n${exists.stderr.trim()}`,
    );
  }
  if (exists.stdout.trim() === '1') return;
  log(`postgres: creating database ${PG_DATABASE} on port ${port}`);
  const created = await psql(port, 'postgres', `create database ${PG_DATABASE}`);
  if (created.status !== 0) {
    throw new InfraError(
      `PostgreSQL on ${HOST}:${port}: create database ${PG_DATABASE} failed:\n${created.stderr.trim()}`,
    );
  }
}

/** Directory with initdb and pg_ctl: the newest /usr/lib/postgresql/<v>/bin, else from PATH. */
export function findPgBinDir(): string {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base)
    ? readdirSync(base)
        .filter((v) => /^\d+(\.\d+)?$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  for (const version of versions) {
    const bin = join(base, version, 'bin');
    if (existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl'))) return bin;
  }
  const pgCtl = which('pg_ctl');
  if (pgCtl && existsSync(join(dirname(pgCtl), 'initdb'))) return dirname(pgCtl);
  throw new InfraError(
    'PostgreSQL server binaries not found (initdb and pg_ctl under /usr/lib/postgresql/*/bin or on PATH).\n' +
      '    Install them (apt-get install postgresql), start a server on 127.0.0.1:5432, or start Docker.',
  );
}

function shellQuote(arg: string): string {
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** [command, args] running `argv` as `user` (runuser, else su), or as ourselves when no user. */
function asUser(user: string | undefined, argv: string[]): [string, string[]] {
  const [command, ...args] = argv as [string, ...string[]];
  if (!user) return [command, args];
  if (which('runuser')) return ['runuser', ['-u', user, '--', command, ...args]];
  return ['su', [user, '-s', '/bin/sh', '-c', argv.map(shellQuote).join(' ')]];
}

async function uidGid(user: string): Promise<[number, number]> {
  const uid = await run('id', ['-u', user]);
  const gid = await run('id', ['-g', user]);
  if (uid.status !== 0 || gid.status !== 0) {
    throw new InfraError(
      `running as root, so PostgreSQL must run as another user, but user "${user}" does not exist ` +
        '(initdb refuses root). Create it (the postgresql package does) or run infra as a normal user.',
    );
  }
  return [Number(uid.stdout.trim()), Number(gid.stdout.trim())];
}

/**
 * A data dir the server user can write. Normally .infra/pg; when running as root the server runs
 * as "postgres", which may not be able to reach .infra (e.g. a checkout under /root), so the
 * cluster then lives in a fresh /tmp/shop-infra-pg-* dir owned by postgres.
 */
async function prepareDataDir(runAs: string | undefined): Promise<string> {
  const preferred = join(infraDir, 'pg');
  if (!runAs) {
    mkdirSync(preferred, { recursive: true, mode: 0o700 });
    return preferred;
  }
  const [uid, gid] = await uidGid(runAs);
  mkdirSync(preferred, { recursive: true, mode: 0o700 });
  chownSync(preferred, uid, gid);
  const [cmd, args] = asUser(runAs, ['test', '-w', preferred]);
  if ((await run(cmd, args)).status === 0) return preferred;
  rmSync(preferred, { recursive: true, force: true });
  const dir = mkdtempSync('/tmp/shop-infra-pg-');
  chownSync(dir, uid, gid);
  log(`postgres: ${runAs} cannot write under ${infraDir}; using ${dir}`);
  return dir;
}

/** Starts (initialising when needed) a local cluster; returns its state once it answers. */
export async function startNativePostgres(preferredPort = PG_PORT): Promise<PostgresState> {
  const binDir = findPgBinDir();
  const runAs = isRoot() ? PG_USER : undefined;
  const dataDir = await prepareDataDir(runAs);
  const port = await freePort(preferredPort);
  if (port !== preferredPort) log(`postgres: port ${preferredPort} is busy, using ${port}`);

  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    log(`postgres: initdb ${dataDir}${runAs ? ` (as ${runAs})` : ''}`);
    const [cmd, args] = asUser(runAs, [
      join(binDir, 'initdb'),
      '-D',
      dataDir,
      '-U',
      PG_USER,
      '--auth=trust',
      '--encoding=UTF8',
      '--no-locale',
      '--no-sync',
    ]);
    await runOrThrow('initdb', cmd, args, { timeoutMs: 120_000 });
  }

  const logFile = join(dataDir, 'server.log');
  // TCP only on 127.0.0.1 (no unix socket, so no clash with a system server's socket);
  // fsync off: the cluster is throwaway test data.
  const serverOptions = `-p ${port} -c listen_addresses=${HOST} -c unix_socket_directories= -c fsync=off`;
  log(`postgres: starting ${join(binDir, 'postgres')} on ${HOST}:${port}`);
  const [cmd, args] = asUser(runAs, [
    join(binDir, 'pg_ctl'),
    '-D',
    dataDir,
    '-l',
    logFile,
    '-w',
    '-t',
    '60',
    '-o',
    serverOptions,
    'start',
  ]);
  const started = await run(cmd, args, { timeoutMs: 90_000 });
  if (started.status !== 0) {
    throw new InfraError(
      `PostgreSQL did not start (pg_ctl exit ${started.status ?? started.error?.message}).\n` +
        `${started.stderr.trim()}\n--- tail of ${logFile} ---\n${tailFile(logFile)}`,
    );
  }
  if (!(await postgresAnswers(port))) {
    throw new InfraError(
      `PostgreSQL started on port ${port} but does not answer queries.\n${tailFile(logFile)}`,
    );
  }
  await ensureDatabase(port);
  return { source: 'native', url: postgresUrl(port), port, dataDir, binDir, runAs };
}

/** Reuses a usable server on the port, else starts one. */
export async function upPostgres(
  startOther: (port: number) => Promise<PostgresState> = startNativePostgres,
): Promise<PostgresState> {
  if (await postgresAccepting(PG_PORT)) {
    if (await postgresAnswers(PG_PORT)) {
      await ensureDatabase(PG_PORT);
      log(`postgres: reusing the server already answering on ${HOST}:${PG_PORT}`);
      return { source: 'existing', url: postgresUrl(PG_PORT), port: PG_PORT };
    }
    log(
      `postgres: a server on ${HOST}:${PG_PORT} accepts connections but not "psql -U ${PG_USER}" ` +
        'without a password; starting a separate one',
    );
  }
  return startOther(PG_PORT);
}

/** Stops a cluster that `up` started and deletes its data dir. */
export async function stopNativePostgres(state: PostgresState): Promise<void> {
  if (!state.dataDir || !state.binDir) return;
  if (existsSync(join(state.dataDir, 'postmaster.pid'))) {
    const [cmd, args] = asUser(state.runAs, [
      join(state.binDir, 'pg_ctl'),
      '-D',
      state.dataDir,
      '-m',
      'fast',
      '-w',
      '-t',
      '60',
      'stop',
    ]);
    const stopped = await run(cmd, args, { timeoutMs: 90_000 });
    if (stopped.status !== 0 && existsSync(join(state.dataDir, 'postmaster.pid'))) {
      throw new InfraError(`pg_ctl stop failed for ${state.dataDir}:\n${stopped.stderr.trim()}`);
    }
  }
  rmSync(state.dataDir, { recursive: true, force: true });
}
