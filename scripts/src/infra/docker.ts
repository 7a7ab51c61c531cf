// Docker path of `npm run infra -- up`: when a Docker engine answers `docker info`, services that
// are not already running come from containers started with testcontainers.
//
// Lifetime: testcontainers normally registers containers with its reaper (Ryuk), which removes
// them as soon as this process exits, but `up` is a short command followed by other commands
// (tests) in the same shell. So containers are started with `withAutoCleanup(false)` (no reaper)
// and `withReuse()` (a second `up` with the same settings finds the running container instead of
// starting another). They outlive this process; their ids go to .infra/state.json and `down`
// stops and removes them. Not testable on machines without Docker: keep this small.
import { kafkaVersion } from './kafka.js';
import { PG_DATABASE, postgresUrl } from './postgres.js';
import { redisUrl } from './redis.js';
import type { KafkaState, PostgresState, RedisState } from './state.js';
import { freePort, HOST, InfraError, log, run, which } from './util.js';

const STARTUP_TIMEOUT_MS = 180_000;
const LABELS = { 'com.example.shop.infra': 'true' };

/** True when the Docker CLI is installed and its engine answers. */
export async function dockerAvailable(): Promise<boolean> {
  if (process.env.INFRA_MODE === 'native') return false;
  if (!which('docker')) return false;
  const info = await run('docker', ['info', '--format', '{{.ServerVersion}}'], {
    timeoutMs: 20_000,
  });
  return info.status === 0 && info.stdout.trim() !== '';
}

async function testcontainers() {
  try {
    return await import('testcontainers');
  } catch (err) {
    throw new InfraError(`cannot load testcontainers (npm ci?): ${(err as Error).message}`);
  }
}

export async function startPostgresContainer(): Promise<PostgresState> {
  const { GenericContainer, Wait } = await testcontainers();
  log('postgres: starting container postgres:15');
  const container = await new GenericContainer('postgres:15')
    .withEnvironment({ POSTGRES_HOST_AUTH_METHOD: 'trust', POSTGRES_DB: PG_DATABASE })
    .withExposedPorts(5432)
    .withLabels(LABELS)
    // The entrypoint's init phase starts the server once on a socket, then for real.
    .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
    .withStartupTimeout(STARTUP_TIMEOUT_MS)
    .withAutoCleanup(false)
    .withReuse()
    .start();
  const port = container.getMappedPort(5432);
  return {
    source: 'docker',
    url: postgresUrl(port, container.getHost()),
    port,
    containerId: container.getId(),
  };
}

export async function startRedisContainer(): Promise<RedisState> {
  const { GenericContainer, Wait } = await testcontainers();
  log('redis: starting container redis:7');
  const container = await new GenericContainer('redis:7')
    .withCommand(['redis-server', '--save', '', '--appendonly', 'no'])
    .withExposedPorts(6379)
    .withLabels(LABELS)
    .withWaitStrategy(Wait.forLogMessage(/Ready to accept connections/))
    .withStartupTimeout(STARTUP_TIMEOUT_MS)
    .withAutoCleanup(false)
    .withReuse()
    .start();
  const port = container.getMappedPort(6379);
  return {
    source: 'docker',
    url: redisUrl(port, container.getHost()),
    port,
    containerId: container.getId(),
  };
}

/**
 * Kafka advertises the address clients must use, so the host port is chosen before the
 * container starts (9092 when free) and bound explicitly. Inside the container a second listener
 * (INTERNAL, localhost:19092) serves the broker itself and the readiness command.
 */
export async function startKafkaContainer(): Promise<KafkaState> {
  const { GenericContainer, Wait } = await testcontainers();
  const image = process.env.INFRA_KAFKA_IMAGE ?? `apache/kafka:${kafkaVersion()}`;
  const hostPort = await freePort(Number(process.env.INFRA_KAFKA_PORT ?? 9092));
  log(`kafka: starting container ${image} on ${HOST}:${hostPort}`);
  const container = await new GenericContainer(image)
    .withEnvironment({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: 'PLAINTEXT://:9092,INTERNAL://:19092,CONTROLLER://:9093',
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://${HOST}:${hostPort},INTERNAL://localhost:19092`,
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP:
        'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,INTERNAL:PLAINTEXT',
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_INTER_BROKER_LISTENER_NAME: 'INTERNAL',
      // The image formats the storage itself, with a static quorum.
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
      KAFKA_NUM_PARTITIONS: '3',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'true',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
    })
    .withExposedPorts({ container: 9092, host: hostPort })
    .withLabels(LABELS)
    .withWaitStrategy(
      Wait.forSuccessfulCommand(
        '/opt/kafka/bin/kafka-topics.sh --bootstrap-server localhost:19092 --list',
      ),
    )
    .withStartupTimeout(STARTUP_TIMEOUT_MS)
    .withAutoCleanup(false)
    .withReuse()
    .start();
  return {
    source: 'docker',
    url: `${HOST}:${hostPort}`,
    port: hostPort,
    containerId: container.getId(),
  };
}

/** Stops and removes a container `up` started. */
export async function removeContainer(id: string): Promise<void> {
  const { getContainerRuntimeClient } = await testcontainers();
  const client = await getContainerRuntimeClient();
  const container = client.container.getById(id);
  try {
    await client.container.stop(container, { timeout: 10 });
  } catch {
    // already stopped
  }
  try {
    await client.container.remove(container, { removeVolumes: true });
  } catch (err) {
    if (!/no such container|404/i.test(String(err))) throw err;
  }
}
