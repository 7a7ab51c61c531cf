// For the *.int.test.ts suites that stop and restart the Kafka of `npm run infra -- up` while
// traffic flows (not exported by the package).
import { silentLogger } from '@shop/shared';
import { usesRealInfrastructure } from '@shop/shared/testing';
import { afterAll, expect } from 'vitest';
import { type RunningBroker, type StartBrokerOptions, startBroker } from './broker.js';
import { type CountingReceiver, manifestsDir, waitFor } from './test-support.js';

/** The stop/start functions of scripts/src/infra/kafka.ts (loaded at run time, not type-checked here). */
interface LocalKafka {
  runningKafkaPid(): number | undefined;
  stopKafka(): Promise<boolean>;
  startKafka(): Promise<unknown>;
}

const infra = (await import(
  new URL('../../../scripts/src/infra/kafka.ts', import.meta.url).href
)) as LocalKafka;

/** Whether this run may stop and start the local Kafka (it is real and `infra up` started it). */
export const ownsLocalKafka = usesRealInfrastructure() && infra.runningKafkaPid() !== undefined;

/**
 * Whether such a suite skips: without a local Kafka of its own, except in CI, where a skip would
 * hide that the restart was never tested.
 */
export const skipKafkaRestart = !ownsLocalKafka && process.env.CI !== 'true';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The cleanups of a restart suite: run (the last registered first) after it, once Kafka is
 * running again whatever happened, for the suites after this one.
 */
export function restartSuiteCleanups(): (() => Promise<void> | void)[] {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    if (ownsLocalKafka && infra.runningKafkaPid() === undefined) await infra.startKafka();
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  return cleanups;
}

/** A broker on KAFKA_BROKERS reading these manifests (their sinks are URIs: no services). */
export async function startBrokerOnLocalKafka(
  cleanups: (() => Promise<void> | void)[],
  resources: object[],
  options: Partial<StartBrokerOptions> = {},
): Promise<RunningBroker> {
  const { dir, cleanup } = manifestsDir(...resources);
  cleanups.push(cleanup);
  const broker = await startBroker({
    manifestsDir: dir,
    kafkaBrokers: process.env.KAFKA_BROKERS ?? '',
    port: 0,
    resolveService: () => {
      throw new Error('no services here');
    },
    log: silentLogger(),
    ...options,
  });
  cleanups.push(() => broker.stop());
  return broker;
}

/**
 * Lets traffic flow for 3 s, stops Kafka for 12 s (longer than the consumer session timeout, so
 * groups must rejoin and refetch), starts it and lets traffic flow 5 s more; `acknowledged` is
 * read before the stop and at the restart.
 */
export async function restartKafkaMidStream(
  acknowledged: () => number,
): Promise<{ beforeStop: number; atRestart: number }> {
  await sleep(3_000);
  const beforeStop = acknowledged();
  expect(await infra.stopKafka()).toBe(true);
  await sleep(12_000);
  await infra.startKafka();
  const atRestart = acknowledged();
  await sleep(5_000);
  return { beforeStop, atRestart };
}

/**
 * Waits until every acknowledged id was handled, then checks each was delivered at least once
 * and handled exactly once, that traffic flowed before the stop and after the restart; returns
 * how many were delivered more than once.
 */
export async function expectAcknowledgedHandledOnce(
  receiver: CountingReceiver,
  acked: ReadonlySet<string>,
  counts: { beforeStop: number; atRestart: number },
): Promise<number> {
  await waitFor(
    () => [...acked].every((id) => receiver.handled.has(id)),
    120_000,
    'every acknowledged event handled',
  );
  expect(counts.beforeStop).toBeGreaterThan(50);
  expect(acked.size).toBeGreaterThan(counts.atRestart);
  for (const id of acked) {
    expect(receiver.deliveries.get(id) ?? 0, id).toBeGreaterThanOrEqual(1);
    expect(receiver.handled.get(id), id).toBe(1);
  }
  return [...receiver.deliveries.values()].filter((count) => count > 1).length;
}
