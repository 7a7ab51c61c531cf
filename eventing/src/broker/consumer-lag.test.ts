// messaging_kafka_consumer_lag on the broker's /metrics: it rises while a Trigger's subscriber
// is down and its records wait uncommitted, and returns to 0 once they are delivered. Unit runs
// use the in-memory log; with SHOP_TEST_INFRA=real the same test runs on the Kafka of
// KAFKA_BROKERS (the integration project).
import { silentLogger } from '@shop/shared';
import { afterAll, describe, expect, it } from 'vitest';
import { startBroker } from './broker.js';
import {
  brokerResources,
  freePort,
  manifestsDir,
  postEvent,
  startSubscriber,
  testKafka,
  triggerResource,
  uniqueName,
} from './test-support.js';

const kafka = testKafka();
const namespace = 'test';
const cleanups: (() => Promise<void> | void)[] = [];

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await kafka.close();
});

/** The lag the broker's /metrics reports for a group, undefined when it has no series. */
async function lagOnMetrics(brokerUrl: string, group: string): Promise<number | undefined> {
  const text = await (await fetch(`${brokerUrl}/metrics`)).text();
  const line = text
    .split('\n')
    .find(
      (l) =>
        l.startsWith('messaging_kafka_consumer_lag{') &&
        l.includes(`messaging_consumer_group_name="${group}"`),
    );
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

async function eventually(check: () => Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe(`consumer lag (${kafka.kind})`, () => {
  it('rises while a subscriber is down and returns to 0 once it is back', async () => {
    const name = uniqueName('lag');
    const port = await freePort();
    const { dir, cleanup } = manifestsDir(
      ...brokerResources(namespace, name, { partitions: 2 }),
      triggerResource(namespace, name, 'down', `http://127.0.0.1:${port}/`, {
        delivery: { retry: 1000, backoffPolicy: 'linear', backoffDelay: 'PT0.1S' },
      }),
      triggerResource(namespace, name, 'up', `http://127.0.0.1:${port}/`, {
        filter: { attributes: { type: 'never' } },
      }),
    );
    cleanups.push(cleanup);
    const broker = await startBroker({
      manifestsDir: dir,
      kafka,
      port: 0,
      resolveService: () => {
        throw new Error('no services');
      },
      log: silentLogger(),
    });
    const topic = `knative-broker-${namespace}-${name}`;
    cleanups.push(
      () =>
        kafka
          .admin()
          .deleteTopic(topic)
          .catch(() => {}),
      () => broker.stop(),
    );
    const down = `knative-trigger-${namespace}-down`;
    const filtered = `knative-trigger-${namespace}-up`;
    expect(await lagOnMetrics(broker.url, down)).toBe(0);
    const text = await (await fetch(`${broker.url}/metrics`)).text();
    expect(text).toContain('# TYPE messaging_kafka_consumer_lag gauge');
    expect(text).toMatch(
      new RegExp(
        `^messaging_kafka_consumer_lag\\{namespace="${namespace}",messaging_consumer_group_name="${down}",messaging_destination_name="${topic}"[^}]*\\} 0$`,
        'm',
      ),
    );

    for (let i = 0; i < 12; i++) {
      expect(
        await postEvent(broker.ingressUrl(namespace, name), {
          id: `e${i}`,
          source: '/t',
          type: 't',
        }),
      ).toBe(202);
    }
    // Nothing answers: every record waits uncommitted behind the retries.
    await eventually(
      async () => (await lagOnMetrics(broker.url, down)) === 12,
      30_000,
      'a lag of 12 while the subscriber is down',
    );
    // The other Trigger filters everything out and commits: no lag.
    await eventually(
      async () => (await lagOnMetrics(broker.url, filtered)) === 0,
      30_000,
      'no lag on the Trigger that filters the records out',
    );

    const subscriber = await startSubscriber(() => ({}), port);
    cleanups.push(() => subscriber.close());
    await eventually(
      async () => (await lagOnMetrics(broker.url, down)) === 0,
      60_000,
      'the lag back at 0 once the subscriber is up',
    );
    expect(new Set(subscriber.received.map((r) => r.headers['ce-id'])).size).toBe(12);
  });
});
