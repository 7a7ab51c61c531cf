// Redis for integration tests: reuse one that answers PING on 127.0.0.1:6379, or start
// redis-server (no persistence) in the background.

import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RedisState } from './state.js';
import {
  ensureDir,
  freePort,
  HOST,
  InfraError,
  infraDir,
  isAlive,
  isOurProcess,
  log,
  readPid,
  spawnDetached,
  tailFile,
  tcpExchange,
  terminate,
  waitUntil,
  which,
} from './util.js';

export const REDIS_PORT = Number(process.env.INFRA_REDIS_PORT ?? 6379);
const pidFile = join(infraDir, 'redis.pid');
const logFile = join(infraDir, 'redis.log');

export function redisUrl(port: number, host = HOST): string {
  return `redis://${host}:${port}`;
}

/** True when the port answers `PING` with `+PONG`. */
export async function redisAnswers(port: number): Promise<boolean> {
  const reply = await tcpExchange(port, 'PING\r\n', 1500, 7);
  return reply?.toString('latin1').startsWith('+PONG') ?? false;
}

export async function startNativeRedis(preferredPort = REDIS_PORT): Promise<RedisState> {
  const bin = which('redis-server');
  if (!bin) {
    throw new InfraError(
      'redis-server not found: install it (apt-get install redis-server) or start Docker',
    );
  }
  ensureDir(infraDir);
  const port = await freePort(preferredPort);
  if (port !== preferredPort) log(`redis: port ${preferredPort} is busy, using ${port}`);
  log(`redis: starting ${bin} on ${HOST}:${port}`);
  const pid = spawnDetached(
    bin,
    [
      '--port',
      String(port),
      '--bind',
      HOST,
      '--save',
      '',
      '--appendonly',
      'no',
      '--daemonize',
      'no',
      '--dir',
      infraDir,
    ],
    logFile,
    { cwd: infraDir },
  );
  writeFileSync(pidFile, `${pid}\n`);
  const ready = await waitUntil(
    async () => (await redisAnswers(port)) || !isAlive(pid),
    30_000,
    100,
  );
  if (!ready || !(await redisAnswers(port))) {
    throw new InfraError(
      `redis-server did not answer PING on ${HOST}:${port}${isAlive(pid) ? ' within 30 s' : ' (it exited)'}.\n` +
        `--- tail of ${logFile} ---\n${tailFile(logFile)}`,
    );
  }
  return { source: 'native', url: redisUrl(port), port };
}

export async function upRedis(
  startOther: (port: number) => Promise<RedisState> = startNativeRedis,
): Promise<RedisState> {
  if (await redisAnswers(REDIS_PORT)) {
    log(`redis: reusing the server already answering on ${HOST}:${REDIS_PORT}`);
    return { source: 'existing', url: redisUrl(REDIS_PORT), port: REDIS_PORT };
  }
  return startOther(REDIS_PORT);
}

/** Stops the redis-server that `up` started (pid in .infra/redis.pid). */
export async function stopNativeRedis(): Promise<void> {
  const pid = readPid(pidFile);
  if (isOurProcess(pid, 'redis-server')) {
    if (!(await terminate(pid, 10_000))) log(`redis: pid ${pid} ignored SIGTERM, killed`);
  }
  rmSync(pidFile, { force: true });
}
