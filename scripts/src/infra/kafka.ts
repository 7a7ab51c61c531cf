// A single-node Kafka (KRaft, broker + controller in one JVM) for integration tests, run from
// the Maven Central jars pinned in scripts/kafka/pom.xml. No Docker, no Kafka distribution.
//
// Tests can import this module to stop and restart the broker mid-stream:
//   import { restartKafka, startKafka, stopKafka } from '<root>/scripts/src/infra/kafka.ts';
//   await stopKafka();    // SIGTERM, waits for the JVM to exit
//   await startKafka();   // same ports, same data (topics and offsets survive)
// Both only act on the broker that `npm run infra -- up` started (pid in .infra/kafka.pid).
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KafkaState } from './state.js';
import {
  cacheDir,
  ensureDir,
  freePort,
  HOST,
  InfraError,
  indent,
  infraDir,
  isAlive,
  isListening,
  isOurProcess,
  log,
  readPid,
  repoRoot,
  run,
  sleep,
  spawnDetached,
  tail,
  tailFile,
  tcpExchange,
  terminate,
  which,
} from './util.js';

export const KAFKA_PORT = Number(process.env.INFRA_KAFKA_PORT ?? 9092);
export const KAFKA_CONTROLLER_PORT = Number(process.env.INFRA_KAFKA_CONTROLLER_PORT ?? 9093);
/** Overall readiness timeout of a start. */
export const KAFKA_READY_TIMEOUT_MS = 90_000;
/** How long a SIGTERM'd broker may take to shut down before it is killed. */
export const KAFKA_STOP_TIMEOUT_MS = 60_000;

const kafkaDir = join(repoRoot, 'scripts', 'kafka');
export const kafkaPomFile = join(kafkaDir, 'pom.xml');
const log4jFile = join(kafkaDir, 'log4j.properties');
/**
 * JVM flags for logging: SLF4J goes to reload4j (log4j 1 config). Kafka also has log4j2-core on
 * its classpath, whose status logger would complain on every start that it has no config.
 */
const LOGGING = [`-Dlog4j.configuration=file:${log4jFile}`, '-Dlog4j2.statusLoggerLevel=OFF'];

/** The Kafka version pinned by the `kafka.version` property of scripts/kafka/pom.xml. */
export function kafkaVersion(): string {
  const pom = readFileSync(kafkaPomFile, 'utf8');
  const version = /<kafka\.version>\s*([^<\s]+)\s*<\/kafka\.version>/.exec(pom)?.[1];
  if (!version) throw new InfraError(`no <kafka.version> property in ${kafkaPomFile}`);
  return version;
}

/** Files of the local broker. Everything except the jar cache lives in .infra/. */
export function kafkaPaths() {
  const cache = join(cacheDir, `kafka-${kafkaVersion()}`);
  return {
    cache,
    libs: join(cache, 'libs'),
    /** Written after a complete `mvn dependency:copy-dependencies`: pom hash + jar names. */
    libsMarker: join(cache, 'libs.complete'),
    home: join(infraDir, 'kafka'),
    serverProperties: join(infraDir, 'kafka', 'server.properties'),
    adminProperties: join(infraDir, 'kafka', 'admin.properties'),
    /** Ports and cluster id of the broker `up` created, so a restart reuses them. */
    instance: join(infraDir, 'kafka', 'instance.json'),
    data: join(infraDir, 'kafka-data'),
    pid: join(infraDir, 'kafka.pid'),
    log: join(infraDir, 'kafka.log'),
  };
}

interface KafkaInstance {
  port: number;
  controllerPort: number;
  clusterId: string;
}

export function kafkaBrokers(port: number, host = HOST): string {
  return `${host}:${port}`;
}

// ---------------------------------------------------------------------------------------------
// Prerequisites: Java 17+ and the jars

/** Throws a clear error unless `java` (17 or newer, as Kafka 4 needs) is on PATH. */
export async function ensureJava(): Promise<string> {
  const java = which('java');
  if (!java) {
    throw new InfraError(
      'java not found on PATH: the local Kafka needs a Java 17+ runtime ' +
        '(apt-get install openjdk-17-jre-headless), or start Docker to use containers.',
    );
  }
  const result = await run(java, ['-version'], { timeoutMs: 30_000 });
  const text = `${result.stderr}${result.stdout}`;
  const match = /version "(\d+)(?:\.(\d+))?/.exec(text);
  const major = match ? Number(match[1] === '1' ? match[2] : match[1]) : Number.NaN;
  if (result.status !== 0 || !(major >= 17)) {
    throw new InfraError(
      `Kafka 4 needs Java 17 or newer; "${java} -version" says:\n${indent(text.trim())}`,
    );
  }
  return java;
}

function pomHash(): string {
  return createHash('sha256').update(readFileSync(kafkaPomFile)).digest('hex');
}

function jarsComplete(paths: ReturnType<typeof kafkaPaths>): boolean {
  if (!existsSync(paths.libsMarker)) return false;
  try {
    const marker = JSON.parse(readFileSync(paths.libsMarker, 'utf8')) as {
      pom?: string;
      jars?: string[];
    };
    if (marker.pom !== pomHash() || !Array.isArray(marker.jars) || marker.jars.length === 0)
      return false;
    return marker.jars.every((jar) => existsSync(join(paths.libs, jar)));
  } catch {
    return false;
  }
}

/**
 * Makes sure .cache/kafka-<version>/libs holds every jar of scripts/kafka/pom.xml, running Maven
 * (from Maven Central, through ~/.m2) only when the cache is missing or the pom changed.
 */
export async function ensureKafkaJars(): Promise<string> {
  const paths = kafkaPaths();
  if (jarsComplete(paths)) return paths.libs;
  const mvn = which('mvn');
  if (!mvn) {
    throw new InfraError(
      `mvn not found on PATH: it downloads the Kafka jars into ${paths.libs} ` +
        '(apt-get install maven), or start Docker to use containers.',
    );
  }
  const tmp = `${paths.libs}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  ensureDir(paths.cache);
  log(`kafka: downloading the Kafka ${kafkaVersion()} jars with Maven into ${paths.libs}`);
  const started = Date.now();
  const result = await run(
    mvn,
    ['-q', '-B', '-f', kafkaPomFile, 'dependency:copy-dependencies', `-DoutputDirectory=${tmp}`],
    { cwd: kafkaDir, timeoutMs: 20 * 60_000 },
  );
  if (result.status !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    throw new InfraError(
      `Maven could not fetch the Kafka jars (mvn dependency:copy-dependencies -f ${kafkaPomFile}): ` +
        `${result.error?.message ?? `exit code ${result.status}`}\n${indent(tail(`${result.stdout}\n${result.stderr}`.trim(), 40))}`,
    );
  }
  const jars = readdirSync(tmp).filter((f) => f.endsWith('.jar'));
  if (
    !jars.some((j) => j.startsWith('kafka_2.13-')) ||
    !jars.some((j) => j.startsWith('kafka-tools-'))
  ) {
    throw new InfraError(
      `Maven finished but ${tmp} lacks kafka_2.13 or kafka-tools jars: ${jars.join(', ')}`,
    );
  }
  rmSync(paths.libs, { recursive: true, force: true });
  renameSync(tmp, paths.libs);
  writeFileSync(paths.libsMarker, `${JSON.stringify({ pom: pomHash(), jars }, null, 2)}\n`);
  log(`kafka: ${jars.length} jars cached in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return paths.libs;
}

// ---------------------------------------------------------------------------------------------
// Probes

/**
 * True when a Kafka broker answers on the port: sends an ApiVersions (v0) request and checks the
 * reply carries our correlation id. Cheap; used to detect an existing broker and for `status`.
 */
export async function kafkaAnswers(port: number, host = HOST): Promise<boolean> {
  const clientId = Buffer.from('shop-infra');
  const correlationId = 0x5e0_1d;
  const body = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length);
  body.writeInt16BE(18, 0); // ApiVersions
  body.writeInt16BE(0, 2); // version 0: every broker answers it (with an error code at worst)
  body.writeInt32BE(correlationId, 4);
  body.writeInt16BE(clientId.length, 8);
  clientId.copy(body, 10);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length, 0);
  const reply = await tcpExchange(port, Buffer.concat([size, body]), 2000, 8, host);
  return reply !== undefined && reply.length >= 8 && reply.readInt32BE(4) === correlationId;
}

function javaToolArgs(libs: string, mainClass: string, args: string[]): string[] {
  return [
    '-Xms32m',
    '-Xmx256m',
    '-XX:+UseSerialGC',
    '-XX:TieredStopAtLevel=1',
    ...LOGGING,
    '-cp',
    `${libs}/*`,
    mainClass,
    ...args,
  ];
}

/** `TopicCommand --list` against the broker: exit 0 means metadata requests are served. */
export async function kafkaListTopics(port: number, timeoutMs = 30_000) {
  const paths = kafkaPaths();
  ensureDir(paths.home);
  writeFileSync(paths.adminProperties, 'request.timeout.ms=5000\ndefault.api.timeout.ms=10000\n');
  return run(
    'java',
    javaToolArgs(paths.libs, 'org.apache.kafka.tools.TopicCommand', [
      '--bootstrap-server',
      kafkaBrokers(port),
      '--command-config',
      paths.adminProperties,
      '--list',
    ]),
    { timeoutMs },
  );
}

/**
 * Waits until the broker serves `TopicCommand --list`, failing fast when the JVM (`pid`) exits.
 * The error shows the tail of .infra/kafka.log.
 */
export async function waitForKafka(
  port: number,
  pid?: number,
  timeoutMs = KAFKA_READY_TIMEOUT_MS,
): Promise<void> {
  const paths = kafkaPaths();
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    if (pid !== undefined && !isAlive(pid)) {
      throw new InfraError(
        `Kafka (pid ${pid}) exited during startup.\n--- tail of ${paths.log} ---\n${tailFile(paths.log, 60)}`,
      );
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) break;
    if (await kafkaAnswers(port)) {
      const listed = await kafkaListTopics(port, Math.max(5000, Math.min(30_000, remaining)));
      if (listed.status === 0) return;
      last = tail(`${listed.stdout}\n${listed.stderr}`.trim(), 15) || (listed.error?.message ?? '');
    }
    await sleep(500);
  }
  throw new InfraError(
    `Kafka on ${kafkaBrokers(port)} was not ready within ${timeoutMs / 1000} s` +
      `${last ? `; last TopicCommand --list output:\n${indent(last)}` : ''}\n` +
      `--- tail of ${paths.log} ---\n${tailFile(paths.log, 60)}`,
  );
}

// ---------------------------------------------------------------------------------------------
// Start / stop

function serverProperties(instance: KafkaInstance, dataDir: string): string {
  const { port, controllerPort } = instance;
  return `${[
    '# Written by scripts/src/infra/kafka.ts on every start; edit that file, not this one.',
    'process.roles=broker,controller',
    'node.id=1',
    `listeners=PLAINTEXT://${HOST}:${port},CONTROLLER://${HOST}:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://${HOST}:${port}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    // Dynamic quorum (KIP-853): bootstrap servers, NOT controller.quorum.voters, with
    // `StorageTool format --standalone`.
    `controller.quorum.bootstrap.servers=${HOST}:${controllerPort}`,
    `log.dirs=${dataDir}`,
    'num.partitions=3',
    'auto.create.topics.enable=true',
    'offsets.topic.replication.factor=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
  ].join('\n')}\n`;
}

function readInstance(): KafkaInstance | undefined {
  const file = kafkaPaths().instance;
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as KafkaInstance;
}

/** Kafka cluster ids are 16 random bytes in unpadded base64url (what `kafka-storage random-uuid` prints). */
function randomClusterId(): string {
  return randomBytes(16).toString('base64url');
}

/** The pid of the broker `up` started, when it is still running. */
export function runningKafkaPid(): number | undefined {
  const pid = readPid(kafkaPaths().pid);
  return isOurProcess(pid, 'kafka.Kafka') ? pid : undefined;
}

export interface StartKafkaOptions {
  /** Client port; default: the previous start's, else 9092 (INFRA_KAFKA_PORT), else a free one. */
  port?: number;
  /** Controller port; default: the previous start's, else 9093, else a free one. */
  controllerPort?: number;
}

/**
 * Starts the local broker (formatting its storage on first start) and waits until it serves
 * metadata. Restarts keep the ports and the data of the previous start.
 */
export async function startKafka(options: StartKafkaOptions = {}): Promise<KafkaState> {
  await ensureJava();
  const libs = await ensureKafkaJars();
  const paths = kafkaPaths();
  ensureDir(paths.home);

  const running = runningKafkaPid();
  const previous = readInstance();
  if (running !== undefined && previous) {
    log(`kafka: already running (pid ${running})`);
    await waitForKafka(previous.port, running);
    return {
      source: 'native',
      url: kafkaBrokers(previous.port),
      port: previous.port,
      controllerPort: previous.controllerPort,
    };
  }

  const hasData = existsSync(join(paths.data, 'meta.properties'));
  const port = options.port ?? previous?.port ?? (await freePort(KAFKA_PORT));
  let controllerPort =
    options.controllerPort ?? previous?.controllerPort ?? (await freePort(KAFKA_CONTROLLER_PORT));
  if (controllerPort === port) controllerPort = await freePort();
  for (const p of [port, controllerPort]) {
    if (await isListening(p)) {
      throw new InfraError(
        `cannot start Kafka: ${HOST}:${p} is already in use by another process ` +
          `(set INFRA_KAFKA_PORT / INFRA_KAFKA_CONTROLLER_PORT or free the port)`,
      );
    }
  }
  const instance: KafkaInstance = {
    port,
    controllerPort,
    clusterId: hasData && previous ? previous.clusterId : randomClusterId(),
  };
  writeFileSync(paths.serverProperties, serverProperties(instance, paths.data));
  writeFileSync(paths.instance, `${JSON.stringify(instance, null, 2)}\n`);

  if (!hasData) {
    rmSync(paths.data, { recursive: true, force: true });
    log(`kafka: formatting ${paths.data} (cluster id ${instance.clusterId})`);
    const formatted = await run(
      'java',
      javaToolArgs(libs, 'kafka.tools.StorageTool', [
        'format',
        '-t',
        instance.clusterId,
        '-c',
        paths.serverProperties,
        '--standalone',
      ]),
      { timeoutMs: 120_000 },
    );
    if (formatted.status !== 0) {
      throw new InfraError(
        `kafka StorageTool format failed (${formatted.error?.message ?? `exit code ${formatted.status}`}):\n` +
          indent(tail(`${formatted.stdout}\n${formatted.stderr}`.trim(), 30)),
      );
    }
  }

  log(
    `kafka: starting Kafka ${kafkaVersion()} on ${kafkaBrokers(port)} (controller ${HOST}:${controllerPort})`,
  );
  // A new cluster starts a new log; restarts append to it.
  writeFileSync(paths.log, `--- ${new Date().toISOString()} starting kafka.Kafka ---\n`, {
    flag: hasData ? 'a' : 'w',
  });
  const pid = spawnDetached(
    'java',
    [
      '-Xms256m',
      '-Xmx768m',
      '-XX:+UseG1GC',
      '-Djava.awt.headless=true',
      ...LOGGING,
      `-Dkafka.logs.dir=${infraDir}`,
      '-cp',
      `${libs}/*`,
      'kafka.Kafka',
      paths.serverProperties,
    ],
    paths.log,
    { cwd: infraDir },
  );
  writeFileSync(paths.pid, `${pid}\n`);
  const started = Date.now();
  await waitForKafka(port, pid);
  log(`kafka: ready in ${((Date.now() - started) / 1000).toFixed(1)} s (pid ${pid})`);
  return { source: 'native', url: kafkaBrokers(port), port, controllerPort };
}

/**
 * Stops the broker `up` started: SIGTERM (clean shutdown), waits for the JVM to exit, SIGKILL
 * after KAFKA_STOP_TIMEOUT_MS. Data and ports are kept for `startKafka()`. Returns false when no
 * broker of ours was running.
 */
export async function stopKafka(timeoutMs = KAFKA_STOP_TIMEOUT_MS): Promise<boolean> {
  const paths = kafkaPaths();
  const pid = runningKafkaPid();
  if (pid === undefined) {
    rmSync(paths.pid, { force: true });
    return false;
  }
  const started = Date.now();
  const clean = await terminate(pid, timeoutMs);
  rmSync(paths.pid, { force: true });
  log(
    clean
      ? `kafka: stopped pid ${pid} in ${((Date.now() - started) / 1000).toFixed(1)} s`
      : `kafka: pid ${pid} did not exit within ${timeoutMs / 1000} s of SIGTERM; killed it`,
  );
  return true;
}

/** Stops and starts the broker `up` started, keeping its ports and data. */
export async function restartKafka(): Promise<KafkaState> {
  if (!readInstance()) {
    throw new InfraError(
      `no local Kafka started by "npm run infra -- up" (no ${kafkaPaths().instance}); ` +
        'a Kafka that was already running, or one in Docker, cannot be restarted from here',
    );
  }
  await stopKafka();
  return startKafka();
}

/** Stops the broker and deletes its data, config and pid (the log stays for debugging). */
export async function destroyKafka(): Promise<void> {
  await stopKafka();
  const paths = kafkaPaths();
  rmSync(paths.data, { recursive: true, force: true });
  rmSync(paths.home, { recursive: true, force: true });
}

/** Reuses a broker that answers on 127.0.0.1:9092, else starts ours. */
export async function upKafka(
  startOther: (port: number) => Promise<KafkaState> = () => startKafka(),
): Promise<KafkaState> {
  const ours = runningKafkaPid();
  if (ours === undefined && (await kafkaAnswers(KAFKA_PORT))) {
    log(`kafka: reusing the broker already answering on ${kafkaBrokers(KAFKA_PORT)}`);
    return { source: 'existing', url: kafkaBrokers(KAFKA_PORT), port: KAFKA_PORT };
  }
  return startOther(KAFKA_PORT);
}
