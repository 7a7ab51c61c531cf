// The local broker as a process of its own (port 8070): reads knative/eventing, runs on Kafka
// when KAFKA_BROKERS is set, in memory otherwise. SIGTERM drains the ingress, stops the
// Triggers (finished deliveries committed) and exits.
import { fileURLToPath } from 'node:url';
import { baseConfigSchema, createLogger, loadConfig } from '@shop/shared';
import { z } from 'zod';
import { startBroker } from './broker.js';
import { localServiceUrl } from './local-services.js';

const config = loadConfig(
  baseConfigSchema.extend({
    PORT: z.coerce.number().int().min(0).max(65535).default(8070),
    HOST: z.string().min(1).default('127.0.0.1'),
    BROKER_MANIFESTS_DIR: z
      .string()
      .min(1)
      .default(fileURLToPath(new URL('../../../knative/eventing', import.meta.url))),
  }),
);
const log = createLogger({ service: 'broker', level: config.LOG_LEVEL });

await startBroker({
  manifestsDir: config.BROKER_MANIFESTS_DIR,
  ...(config.KAFKA_BROKERS ? { kafkaBrokers: config.KAFKA_BROKERS } : {}),
  port: config.PORT,
  hostname: config.HOST,
  resolveService: (name) => localServiceUrl(name),
  log,
  handleSignals: true,
});
