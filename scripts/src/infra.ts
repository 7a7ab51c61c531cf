// Real PostgreSQL, Redis and Kafka for integration tests.
//
//   npm run infra -- up             reuse what already answers, start the rest; prints exports
//   eval "$(npm run -s infra -- env)"   DATABASE_URL, REDIS_URL, KAFKA_BROKERS for this shell
//   npm run infra -- status         which services answer (exit 1 when one does not)
//   npm run infra -- restart-kafka  SIGTERM the local broker, start it again on the same data
//   npm run infra -- down           stop only what `up` started
//
// Paths: with a reachable Docker engine (`docker info`), missing services run in containers
// (testcontainers, see infra/docker.ts); otherwise natively: Debian's PostgreSQL binaries on a
// throwaway cluster, redis-server, and Kafka from Maven Central jars (infra/kafka.ts).
// Services already answering on 5432 / 6379 / 9092 are reused either way and left running by
// `down`. State (pids, ports, data dirs, logs) lives in the git-ignored .infra/.
// Progress goes to stderr; only the `export` lines go to stdout, so `eval "$(… up)"` works too.
// Overrides: INFRA_MODE=native (ignore Docker), INFRA_PG_PORT, INFRA_REDIS_PORT,
// INFRA_KAFKA_PORT, INFRA_KAFKA_CONTROLLER_PORT (preferred ports), INFRA_KAFKA_IMAGE.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  dockerAvailable,
  removeContainer,
  startKafkaContainer,
  startPostgresContainer,
  startRedisContainer,
} from './infra/docker.js';
import {
  destroyKafka,
  KAFKA_PORT,
  kafkaAnswers,
  kafkaBrokers,
  kafkaPaths,
  restartKafka,
  runningKafkaPid,
  upKafka,
} from './infra/kafka.js';
import {
  findPgBinDir,
  PG_PORT,
  PG_USER,
  postgresAnswers,
  postgresUrl,
  stopNativePostgres,
  upPostgres,
} from './infra/postgres.js';
import { REDIS_PORT, redisAnswers, redisUrl, stopNativeRedis, upRedis } from './infra/redis.js';
import {
  clearState,
  type InfraState,
  type KafkaState,
  type PostgresState,
  type RedisState,
  readState,
  type ServiceState,
  stateFile,
  writeState,
} from './infra/state.js';
import { ensureDir, InfraError, infraDir, isRoot, log } from './infra/util.js';

type Service = 'postgres' | 'redis' | 'kafka';
const SERVICES: readonly Service[] = ['postgres', 'redis', 'kafka'];
const ENV_NAMES: Record<Service, string> = {
  postgres: 'DATABASE_URL',
  redis: 'REDIS_URL',
  kafka: 'KAFKA_BROKERS',
};

function answers(service: Service, state: ServiceState): Promise<boolean> {
  switch (service) {
    case 'postgres':
      return postgresAnswers(state.port, 'test');
    case 'redis':
      return redisAnswers(state.port);
    case 'kafka':
      return kafkaAnswers(state.port);
  }
}

function exportsOf(state: Pick<InfraState, Service>): string {
  return SERVICES.map((s) => `export ${ENV_NAMES[s]}=${state[s]?.url ?? ''}`).join('\n');
}

async function up(): Promise<void> {
  ensureDir(infraDir);
  const docker = await dockerAvailable();
  const mode = docker ? 'docker' : 'native';
  log(
    docker
      ? 'up: Docker path (a Docker engine answers): missing services start as testcontainers containers'
      : `up: native path (${process.env.INFRA_MODE === 'native' ? 'INFRA_MODE=native' : 'no Docker engine reachable'}): ` +
          'local PostgreSQL binaries, redis-server, Kafka from Maven jars',
  );
  const previous = readState();
  const state: InfraState = { mode, startedAt: new Date().toISOString() };

  // Something a previous `up` started and that still answers is kept (and stays ours to stop).
  const keep = async <S extends ServiceState>(
    service: Service,
    prev: S | undefined,
  ): Promise<S | undefined> => {
    if (!prev || prev.source === 'existing') return undefined;
    if (!(await answers(service, prev))) return undefined;
    log(`${service}: already up from a previous "up" (${prev.source}, ${prev.url})`);
    return prev;
  };
  const save = () => writeState(state);

  state.postgres =
    (await keep<PostgresState>('postgres', previous?.postgres)) ??
    (await upPostgres(docker ? () => startPostgresContainer() : undefined));
  save();
  state.redis =
    (await keep<RedisState>('redis', previous?.redis)) ??
    (await upRedis(docker ? () => startRedisContainer() : undefined));
  save();
  state.kafka =
    (await keep<KafkaState>('kafka', previous?.kafka)) ??
    (await upKafka(docker ? () => startKafkaContainer() : undefined));
  save();

  for (const service of SERVICES) {
    const s = state[service]!;
    log(`${service.padEnd(8)} ${s.source.padEnd(8)} ${s.url}`);
  }
  log(`up: done (${mode} path); state in ${stateFile}`);
  process.stdout.write(`${exportsOf(state)}\n`);
}

async function env(): Promise<void> {
  const state = readState();
  if (state) {
    process.stdout.write(`${exportsOf(state)}\n`);
    return;
  }
  // No `up` ran: fine when everything already answers on the default ports.
  const defaults = {
    postgres: { source: 'existing', url: postgresUrl(PG_PORT), port: PG_PORT },
    redis: { source: 'existing', url: redisUrl(REDIS_PORT), port: REDIS_PORT },
    kafka: { source: 'existing', url: kafkaBrokers(KAFKA_PORT), port: KAFKA_PORT },
  } satisfies Record<Service, ServiceState>;
  const missing: Service[] = [];
  for (const service of SERVICES) {
    if (!(await answers(service, defaults[service]))) missing.push(service);
  }
  if (missing.length > 0) {
    throw new InfraError(
      `no ${stateFile} (run "npm run infra -- up" first) and ${missing.join(', ')} ` +
        `${missing.length === 1 ? 'does' : 'do'} not answer on the default port`,
    );
  }
  process.stdout.write(`${exportsOf(defaults)}\n`);
}

async function status(): Promise<number> {
  const state = readState();
  if (!state) log(`no ${stateFile}: checking the default ports`);
  let down = 0;
  for (const service of SERVICES) {
    const s: ServiceState = state?.[service] ?? {
      source: 'existing',
      port: { postgres: PG_PORT, redis: REDIS_PORT, kafka: KAFKA_PORT }[service],
      url: {
        postgres: postgresUrl(PG_PORT),
        redis: redisUrl(REDIS_PORT),
        kafka: kafkaBrokers(KAFKA_PORT),
      }[service],
    };
    const ok = await answers(service, s);
    if (!ok) down++;
    const origin = state?.[service] ? s.source : 'not started by up';
    const extra =
      service === 'kafka' && s.source === 'native' ? ` pid ${runningKafkaPid() ?? '-'}` : '';
    process.stdout.write(
      `${service.padEnd(8)} ${(ok ? 'answering' : 'NOT ANSWERING').padEnd(13)} ${s.url.padEnd(40)} ${origin}${extra}\n`,
    );
  }
  return down === 0 ? 0 : 1;
}

async function down(): Promise<void> {
  const state = readState();
  const failures: string[] = [];
  const attempt = async (what: string, action: () => Promise<unknown>) => {
    try {
      await action();
    } catch (err) {
      failures.push(`${what}: ${(err as Error).message}`);
    }
  };
  for (const service of SERVICES) {
    const s = state?.[service];
    if (s?.source === 'docker' && s.containerId) {
      log(`${service}: removing container ${s.containerId.slice(0, 12)}`);
      await attempt(service, () => removeContainer(s.containerId!));
    } else if (s?.source === 'existing') {
      log(`${service}: was already running before "up"; leaving it alone`);
    }
  }
  const pg = state?.postgres;
  const orphanPgDir = join(infraDir, 'pg');
  if (pg?.source === 'native') {
    log(`postgres: stopping the cluster in ${pg.dataDir}`);
    await attempt('postgres', () => stopNativePostgres(pg));
  } else if (existsSync(join(orphanPgDir, 'postmaster.pid'))) {
    // A cluster of an `up` that failed before writing state.json.
    log(`postgres: stopping the cluster in ${orphanPgDir}`);
    await attempt('postgres', async () =>
      stopNativePostgres({
        source: 'native',
        url: '',
        port: 0,
        dataDir: orphanPgDir,
        binDir: findPgBinDir(),
        runAs: isRoot() ? PG_USER : undefined,
      }),
    );
  }
  // Native redis and Kafka are found by their pid files (checked against the command line), so a
  // crashed `up` that never wrote state.json is cleaned up too.
  if (state?.redis?.source === 'native' || existsSync(join(infraDir, 'redis.pid'))) {
    log('redis: stopping redis-server');
    await attempt('redis', stopNativeRedis);
  }
  if (
    state?.kafka?.source === 'native' ||
    existsSync(kafkaPaths().pid) ||
    existsSync(kafkaPaths().home)
  ) {
    log('kafka: stopping the broker and deleting its data');
    await attempt('kafka', destroyKafka);
  }
  if (failures.length > 0) {
    throw new InfraError(`down: could not stop everything:\n${failures.join('\n')}`);
  }
  clearState();
  rmSync(join(infraDir, 'pg'), { recursive: true, force: true });
  log('down: done');
}

async function restartKafkaCommand(): Promise<void> {
  const state = readState();
  if (state?.kafka && state.kafka.source !== 'native') {
    throw new InfraError(
      `restart-kafka: Kafka is "${state.kafka.source}", not a local broker started by "up"`,
    );
  }
  const started = Date.now();
  const kafka = await restartKafka();
  log(`restart-kafka: ${kafka.url} back after ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

const USAGE = 'usage: npm run infra -- up|down|env|status|restart-kafka';

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (rest.length > 0) throw new InfraError(`unexpected arguments: ${rest.join(' ')}\n${USAGE}`);
  switch (command) {
    case 'up':
      await up();
      return 0;
    case 'down':
      await down();
      return 0;
    case 'env':
      await env();
      return 0;
    case 'status':
      return status();
    case 'restart-kafka':
      await restartKafkaCommand();
      return 0;
    default:
      process.stderr.write(`${USAGE}\n`);
      return 2;
  }
}

const command = process.argv[2] ?? '';
// Exit once output is flushed, and also when something (the Docker client of testcontainers)
// keeps sockets open: the unref'd timer only fires in that case.
function exit(code: number): void {
  process.exitCode = code;
  setTimeout(() => process.exit(code), 200).unref();
}
main(process.argv.slice(2)).then(exit, (err: unknown) => {
  const message =
    err instanceof InfraError
      ? err.message
      : err instanceof Error
        ? (err.stack ?? err.message)
        : String(err);
  process.stderr.write(`\ninfra ${command} FAILED: ${message}\n`);
  exit(1);
});
