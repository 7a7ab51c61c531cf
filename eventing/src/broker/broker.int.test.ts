import { describe, it } from 'vitest';
import {
  expectAcknowledgedHandledOnce,
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

    const counts = await restartKafkaMidStream(() => acked.size);
    publishing = false;
    await publisher;
    await Promise.all([...pending]);

    const duplicates = await expectAcknowledgedHandledOnce(receiver, acked, counts);
    console.info(
      `kafka restart: ${n} published, ${acked.size} acknowledged, statuses ${JSON.stringify(Object.fromEntries(statuses))}, ${duplicates} delivered more than once`,
    );
  }, 240_000);
});
