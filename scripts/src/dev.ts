// `npm run dev`: the whole platform in one Node process on embedded defaults (PGlite, in-memory
// key-value and broker) unless DATABASE_URL / REDIS_URL / KAFKA_BROKERS point at real servers.
// Every function gets its own port (ARCHITECTURE.md) and the environment overrides every default.
import { fileURLToPath } from 'node:url';
import { LOCAL_PORTS, localServiceUrl, startBroker } from '@shop/eventing/broker';
import { startOffer } from '@shop/offer';
import { createLogger } from '@shop/shared';

const env = process.env;
const log = createLogger({ service: 'dev', level: env.LOG_LEVEL ?? 'info' });
const manifestsDir = fileURLToPath(new URL('../../knative/eventing', import.meta.url));
const brokerPort = Number(env.BROKER_PORT ?? 8070);

/** Something started that must be stopped on exit, in reverse order. */
const running: { name: string; url: string; stop: () => Promise<void> }[] = [];

async function main(): Promise<void> {
  const broker = await startBroker({
    manifestsDir,
    ...(env.KAFKA_BROKERS ? { kafkaBrokers: env.KAFKA_BROKERS } : {}),
    port: brokerPort,
    resolveService: (name) => localServiceUrl(name),
    log: createLogger({ service: 'broker', level: env.LOG_LEVEL ?? 'info' }),
  });
  running.push({
    name: 'broker ingress',
    url: broker.ingressUrl('shop', 'default'),
    stop: broker.stop,
  });
  const sink = env.K_SINK ?? broker.ingressUrl('shop', 'default');

  const offer = await startOffer({
    env: { RUN_MIGRATIONS: 'true', ...env, PORT: env.OFFER_PORT ?? String(LOCAL_PORTS.offer), K_SINK: sink },
    handleSignals: false,
  });
  running.push({
    name: 'offer',
    url: `http://127.0.0.1:${offer.port}`,
    stop: () => offer.shutdown('dev stop'),
  });

  const width = Math.max(...running.map((r) => r.name.length));
  const lines = running.map((r) => `  ${r.name.padEnd(width)}  ${r.url}`);
  console.log(
    [
      '',
      'Shop platform is running:',
      ...lines,
      '',
      `  catalog        http://127.0.0.1:${offer.port}/api/offers?q=coffee`,
      `  categories     http://127.0.0.1:${offer.port}/api/categories`,
      `  OpenAPI        http://127.0.0.1:${offer.port}/openapi.json`,
      `  metrics        http://127.0.0.1:${offer.port}/metrics`,
      '',
      `Storage: ${env.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : 'embedded PGlite'}, events: ${env.KAFKA_BROKERS ? `Kafka (${env.KAFKA_BROKERS})` : 'in-memory broker'}. Ctrl+C stops.`,
      '',
    ].join('\n'),
  );
}

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'stopping');
  for (const item of running.reverse()) {
    try {
      await item.stop();
    } catch (error) {
      log.error({ err: error, name: item.name }, 'stop failed');
    }
  }
  process.exit(0);
}
process.once('SIGINT', () => void stop('SIGINT'));
process.once('SIGTERM', () => void stop('SIGTERM'));

main().catch(async (error: unknown) => {
  log.fatal({ err: error }, 'dev platform failed to start');
  await stop('start failure');
  process.exit(1);
});
