import { silentLogger } from '@shop/shared';
import { usesRealInfrastructure } from '@shop/shared/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { startBroker } from './broker.js';
import {
  brokerResources,
  manifestsDir,
  publishCounted,
  startCountingReceiver,
  triggerResource,
  uniqueName,
  waitFor,
} from './test-support.js';

/** The stop/start functions of scripts/src/infra/kafka.ts (loaded at run time, not type-checked here). */
interface LocalKafka {
  runningKafkaPid(): number | undefined;
  stopKafka(): Promise<boolean>;
  startKafka(): Promise<unknown>;
}

const infra = (await import(
  new URL('../../../scripts/src/infra/kafka.ts', import.meta.url).href
)) as LocalKafka;
const ownKafka = usesRealInfrastructure() && infra.runningKafkaPid() !== undefined;
const cleanups: (() => Promise<void> | void)[] = [];

afterAll(async () => {
  // Whatever happened, leave Kafka running for the suites after this one.
  if (ownKafka && infra.runningKafkaPid() === undefined) await infra.startKafka();
  for (const cleanup of cleanups.reverse()) await cleanup();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Needs the Kafka `npm run infra -- up` started (it stops and starts that JVM).
// In CI it must run: there a skip would hide that the restart was never tested.
describe.skipIf(!ownKafka && process.env.CI !== 'true')(
  'local Kafka broker across a Kafka restart',
  () => {
    it('delivers every acknowledged event at least once, and exactly once through the receiver', async () => {
      const receiver = await startCountingReceiver();
      cleanups.push(() => receiver.close());
      const namespace = 'test';
      const name = uniqueName('restart');
      const { dir, cleanup } = manifestsDir(
        ...brokerResources(namespace, name, { partitions: 4 }),
        triggerResource(namespace, name, 'counted', receiver.url, {
          delivery: { retry: 40, backoffPolicy: 'linear', backoffDelay: 'PT0.1S' },
        }),
      );
      cleanups.push(cleanup);
      const broker = await startBroker({
        manifestsDir: dir,
        kafkaBrokers: process.env.KAFKA_BROKERS ?? '',
        port: 0,
        resolveService: () => {
          throw new Error('no services here');
        },
        log: silentLogger(),
      });
      cleanups.push(() => broker.stop());
      const ingress = broker.ingressUrl(namespace, name);

      // Publish ~50 events/s for the whole run; keep the ids the ingress acknowledged (202).
      const acked = new Set<string>();
      const statuses = new Map<number, number>();
      let publishing = true;
      let n = 0;
      const pending = new Set<Promise<void>>();
      const publisher = (async () => {
        while (publishing) {
          const id = n++;
          const request = publishCounted(ingress, id, 45_000).then((status) => {
            statuses.set(status, (statuses.get(status) ?? 0) + 1);
            if (status === 202) acked.add(`c${id}`);
          });
          pending.add(request);
          request.finally(() => pending.delete(request));
          await sleep(20);
        }
      })();

      await sleep(3_000);
      const ackedBeforeStop = acked.size;
      expect(await infra.stopKafka()).toBe(true);
      // Longer than the consumer session timeout (10 s): the group must rejoin and refetch.
      await sleep(12_000);
      await infra.startKafka();
      const ackedAtRestart = acked.size;
      await sleep(5_000);
      publishing = false;
      await publisher;
      await Promise.all([...pending]);

      await waitFor(
        () => [...acked].every((id) => receiver.handled.has(id)),
        120_000,
        'every acknowledged event handled',
      );
      expect(ackedBeforeStop).toBeGreaterThan(50);
      expect(acked.size).toBeGreaterThan(ackedAtRestart);
      for (const id of acked) {
        expect(receiver.deliveries.get(id) ?? 0, id).toBeGreaterThanOrEqual(1);
        expect(receiver.handled.get(id), id).toBe(1);
      }
      const duplicates = [...receiver.deliveries.values()].filter((count) => count > 1).length;
      console.info(
        `kafka restart: ${n} published, ${acked.size} acknowledged, statuses ${JSON.stringify(Object.fromEntries(statuses))}, ${duplicates} delivered more than once`,
      );
    }, 240_000);
  },
);
