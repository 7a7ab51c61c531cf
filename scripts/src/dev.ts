// `npm run dev`: the whole platform in one Node process on embedded defaults (PGlite, in-memory
// key-value and broker) unless DATABASE_URL / REDIS_URL / KAFKA_BROKERS point at real servers.
// Every function gets its own port (ARCHITECTURE.md) and the environment overrides every default.
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { LOCAL_PORTS, localServiceUrl, startBroker } from '@shop/eventing/broker';
import { createLogger } from '@shop/shared';
import { startFunctionProcess } from './function-process.js';
import { DEV_FUNCTIONS } from './functions.js';
import { startPaymentSimulator } from './payment-simulator/server.js';

const env = process.env;
const log = createLogger({ service: 'dev', level: env.LOG_LEVEL ?? 'info' });
const manifestsDir = fileURLToPath(new URL('../../knative/eventing', import.meta.url));
const brokerPort = Number(env.BROKER_PORT ?? 8070);

// On the embedded database a staff account is created for trying the admin routes; its password
// is made up at every start (never stored in the repo). Real databases use `create-staff`.
const devStaff = env.DATABASE_URL
  ? undefined
  : {
      email: env.DEV_STAFF_EMAIL ?? 'staff@shop.test',
      password: env.DEV_STAFF_PASSWORD ?? randomBytes(12).toString('base64url'),
    };

type Env = Record<string, string | undefined>;

const running: { name: string; url: string; stop: () => Promise<void> }[] = [];

// DEV_PROCESSES=true: every function runs as a process of its own from its built output
// (`npm run build` first), with the tracing preload, as in the cluster; the broker and the
// payment simulator stay in this process.
const processes = env.DEV_PROCESSES === 'true';

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

  // The payment provider stand-in (dev and tests only): cart creates payments there and it
  // calls the webhook through the gateway, signed, as a real provider would.
  const simulator = await startPaymentSimulator({
    env: { ...env, PORT: env.SIMULATOR_PORT ?? '8071' },
    handleSignals: false,
  });
  running.push({
    name: 'payment simulator',
    url: simulator.url,
    stop: () => simulator.shutdown(),
  });

  for (const fn of DEV_FUNCTIONS) {
    // A function's port is the one its URL names (`<NAME>_URL` overrides the dev port).
    const port = new URL(localServiceUrl(fn.name)).port || String(LOCAL_PORTS[fn.name]);
    const fnEnv: Env = {
      RUN_MIGRATIONS: 'true',
      // As the cluster gives them: the SinkBinding's token file for K_SINK, and what /events
      // trusts (the broker's issuer and keys, the function's audience, its EventPolicy).
      ...(await broker.eventEnv(fn.name)),
      ...env,
      ...(fn.name === 'auth' &&
        devStaff && { DEV_STAFF_EMAIL: devStaff.email, DEV_STAFF_PASSWORD: devStaff.password }),
      PORT: port,
      K_SINK: sink,
    };
    if (processes) {
      const child = await startFunctionProcess(
        fn.name,
        { ...fnEnv, K_SERVICE: fn.name },
        // The gateway answers /readyz on its ops port only.
        fn.name === 'api-gateway' ? { readyPort: fnEnv.OPS_PORT ?? '9080' } : {},
      );
      running.push({ name: fn.name, url: `http://127.0.0.1:${port}`, stop: child.stop });
      continue;
    }
    const started = await fn.start({ env: fnEnv, handleSignals: false });
    running.push({
      name: fn.name,
      url: `http://127.0.0.1:${started.port}`,
      stop: () => started.shutdown('dev stop'),
    });
    // A public function (the gateway) serves /healthz, /readyz and /metrics on its own port.
    if (started.opsUrl) {
      running.push({ name: `${fn.name} ops`, url: started.opsUrl, stop: async () => {} });
    }
  }
  const gatewayUrl = localServiceUrl('api-gateway');
  const width = Math.max(...running.map((r) => r.name.length));
  const lines = running.map((r) => `  ${r.name.padEnd(width)}  ${r.url}`);
  console.log(
    [
      '',
      'Shop platform is running (every function also serves /healthz, /readyz, /metrics; the gateway on its ops port):',
      ...lines,
      '',
      `  catalog        ${gatewayUrl}/api/offers?q=coffee`,
      `  categories     ${gatewayUrl}/api/categories`,
      `  OpenAPI        ${gatewayUrl}/openapi.json`,
      `  API reference  ${gatewayUrl}/docs`,
      `  cart           ${gatewayUrl}/api/cart  (checkout: POST /api/cart/checkout with Idempotency-Key)`,
      `  sign up        POST ${gatewayUrl}/api/auth/signup  {"email","password","name"}`,
      `  sign in        POST ${gatewayUrl}/api/auth/login   {"email","password"}`,
      '',
      ...(devStaff ? [`  staff login    ${devStaff.email} / ${devStaff.password}`, ''] : []),
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
