import { describe, expect, it } from 'vitest';
import {
  restartKafkaMidStream,
  restartSuiteCleanups,
  skipKafkaRestart,
  startBrokerOnLocalKafka,
} from './kafka-restart.js';
import {
  brokerResources,
  publishCounted,
  startCountingReceiver,
  triggerResource,
  uniqueName,
  waitFor,
} from './test-support.js';

const cleanups = restartSuiteCleanups();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Needs the Kafka `npm run infra -- up` started (it stops and starts that JVM); must run in CI.
describe.skipIf(skipKafkaRestart)('local Kafka broker across a Kafka restart', () => {
  it('delivers every acknowledged event at least once, and exactly once through the receiver', async () => {
    const receiver = await startCountingReceiver();
    cleanups.push(() => receiver.close());
    const namespace = 'test';
    const name = uniqueName('restart');
    const broker = await startBrokerOnLocalKafka(cleanups, [
      ...brokerResources(namespace, name, { partitions: 4 }),
      triggerResource(namespace, name, 'counted', receiver.url, {
        delivery: { retry: 40, backoffPolicy: 'linear', backoffDelay: 'PT0.1S' },
      }),
    ]);
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

    const { beforeStop: ackedBeforeStop, atRestart: ackedAtRestart } = await restartKafkaMidStream(
      () => acked.size,
    );
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
});
