// `npm run dev`: the whole platform in one Node process on embedded defaults (PGlite, in-memory
// key-value and broker) unless DATABASE_URL / REDIS_URL / KAFKA_BROKERS point at real servers.
// Every function gets its own port (ARCHITECTURE.md) and the environment overrides every default.
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { startAdmin } from '@shop/admin/dev-server';
import { LOCAL_PORTS, localServiceUrl, startBroker } from '@shop/eventing/broker';
import { startLanding } from '@shop/landing/dev-server';
import { startDevMailbox, startDevSmtp } from '@shop/notification/dev-smtp';
import { createLogger, sharedMemoryKafka } from '@shop/shared';
import { recentSpans } from '@shop/shared/telemetry';
import { startStorefront } from '@shop/storefront/dev-server';
import { startDevPrometheus } from './dev-prometheus.js';
import { startFunctionProcess } from './function-process.js';
import { DEV_FUNCTIONS } from './functions.js';
import { type OtlpReceiver, receivedSpanOf, startOtlpReceiver } from './otlp-receiver.js';
import { startPaymentSimulator } from './payment-simulator/server.js';

const env = process.env;
/** The sites whose calls may name the shopper's address, and their tokens' audience. */
const SITES = ['storefront', 'landing', 'admin'] as const;
const SITE_TOKEN_AUDIENCE = 'api-gateway';
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

// The demo analytics source's write key, likewise made up at each start (embedded database only).
const devWriteKey = env.DATABASE_URL
  ? undefined
  : (env.ANALYTICS_DEMO_WRITE_KEY ?? `wk_${randomBytes(24).toString('base64url')}`);

type Env = Record<string, string | undefined>;

const running: { name: string; url: string; stop: () => Promise<void> }[] = [];

// DEV_PROCESSES=true: every function runs as a process of its own from its built output
// (`npm run build` first), with the tracing preload, as in the cluster; the broker and the
// payment simulator stay in this process.
const processes = env.DEV_PROCESSES === 'true';

async function main(): Promise<void> {
  // Spans of this process (kept in memory by dev-telemetry.ts) and, in DEV_PROCESSES mode, of
  // the function processes (exported here over OTLP), shown by request id at /traces. With an
  // OTLP endpoint of your own, spans go there instead.
  let traces: OtlpReceiver | undefined;
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT && !env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) {
    traces = await startOtlpReceiver({
      port: Number(env.DEV_TRACES_PORT ?? 8069),
      pages: true,
      localSpans: () => recentSpans().map(receivedSpanOf),
    });
    running.push({
      name: 'traces',
      url: `${traces.url}/traces`,
      stop: () => traces?.close() ?? Promise.resolve(),
    });
  }
  const storefrontPort = Number(env.STOREFRONT_PORT ?? 4321);
  const broker = await startBroker({
    manifestsDir,
    // Without KAFKA_BROKERS: the process's one memory log, which the in-process functions
    // (redirect's clicks) write to, so the KafkaSources read what they write.
    ...(env.KAFKA_BROKERS ? { kafkaBrokers: env.KAFKA_BROKERS } : { kafka: sharedMemoryKafka() }),
    port: brokerPort,
    // The storefront takes the catalog's events (its page cache) where it runs.
    resolveService: (name) =>
      name === 'storefront' ? `http://127.0.0.1:${storefrontPort}` : localServiceUrl(name),
    ...(env.STOREFRONT === 'false' && { absentServices: ['storefront'] }),
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

  // Mail goes to an SMTP server of our own (smtp-server, storing what it gets), shown at
  // /dev/mailbox; NOTIFICATION_SMTP_HOST points notification at a real one instead.
  let mailboxUrl: string | undefined;
  const smtp = env.NOTIFICATION_SMTP_HOST
    ? undefined
    : await startDevSmtp({ port: Number(env.DEV_SMTP_PORT ?? 2525) });
  if (smtp) {
    running.push({ name: 'smtp sink', url: `smtp://${smtp.host}:${smtp.port}`, stop: smtp.close });
    const mailbox = await startDevMailbox(smtp, { port: Number(env.DEV_MAILBOX_PORT ?? 8073) });
    mailboxUrl = `${mailbox.url}/dev/mailbox`;
    running.push({ name: 'dev mailbox', url: mailboxUrl, stop: mailbox.close });
  }

  for (const fn of DEV_FUNCTIONS) {
    // A function's port is the one its URL names (`<NAME>_URL` overrides the dev port).
    const port = new URL(localServiceUrl(fn.name)).port || String(LOCAL_PORTS[fn.name]);
    const fnEnv: Env = {
      RUN_MIGRATIONS: 'true',
      // As the cluster gives them: the SinkBinding's token file for K_SINK, and what /events
      // trusts (the broker's issuer and keys, the function's audience, its EventPolicy).
      ...(await broker.eventEnv(fn.name)),
      ...(fn.name === 'notification' &&
        smtp && { NOTIFICATION_SMTP_HOST: smtp.host, NOTIFICATION_SMTP_PORT: String(smtp.port) }),
      // After paying, the provider's page links back to the order on the storefront.
      ...(fn.name === 'cart' &&
        env.STOREFRONT !== 'false' && {
          PAYMENT_RETURN_URL: `http://127.0.0.1:${storefrontPort}/orders/{orderId}`,
        }),
      ...env,
      ...(fn.name === 'auth' &&
        devStaff && { DEV_STAFF_EMAIL: devStaff.email, DEV_STAFF_PASSWORD: devStaff.password }),
      ...(fn.name === 'analytics-ingest' &&
        devWriteKey && { ANALYTICS_DEMO_WRITE_KEY: devWriteKey }),
      // The sites' service-account tokens, as the cluster's issuer signs them (the broker's
      // stand-in): a site's call naming a shopper's address is believed with one.
      ...(fn.name === 'api-gateway' && {
        SITE_TOKEN_ISSUER: broker.oidc.issuer,
        SITE_TOKEN_JWKS_URL: broker.jwksUrl,
        SITE_ALLOWED_SUBJECTS: SITES.map((site) => `system:serviceaccount:shop:${site}`).join(','),
      }),
      // Exposures of experiment flags (the landing headline) go to analytics with the demo key.
      ...(fn.name === 'feature-flag' &&
        devWriteKey && {
          ANALYTICS_INGEST_URL: localServiceUrl('analytics-ingest'),
          ANALYTICS_WRITE_KEY: devWriteKey,
        }),
      PORT: port,
      K_SINK: sink,
    };
    if (processes) {
      const child = await startFunctionProcess(
        fn.name,
        {
          ...fnEnv,
          K_SERVICE: fn.name,
          ...(traces && {
            OTEL_TRACES_EXPORTER: 'otlp',
            OTEL_EXPORTER_OTLP_ENDPOINT: traces.url,
            OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
            // Spans show up on the trace page within half a second, not the SDK's 5 s.
            OTEL_BSP_SCHEDULE_DELAY: env.OTEL_BSP_SCHEDULE_DELAY ?? '500',
          }),
        },
        // The gateway answers /readyz on its ops port only.
        fn.name === 'api-gateway' ? { readyPort: fnEnv.OPS_PORT ?? '9080' } : {},
      );
      running.push({ name: fn.name, url: `http://127.0.0.1:${port}`, stop: child.stop });
      if (fn.name === 'api-gateway') {
        const ops = `http://127.0.0.1:${fnEnv.OPS_PORT ?? '9080'}`;
        running.push({ name: `${fn.name} ops`, url: ops, stop: async () => {} });
      }
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
  // The storefront (sites/storefront) on the gateway: astro dev, or its built server with
  // DEV_PROCESSES=true. STOREFRONT=false leaves it out.
  if (env.STOREFRONT !== 'false') {
    const storefront = await startStorefront({
      port: storefrontPort,
      gatewayUrl: localServiceUrl('api-gateway'),
      mode: processes ? 'built' : 'dev',
      env: {
        // What its /events trusts, as the cluster gives it (it publishes nothing: no K_SINK).
        ...broker.subscriberEnv('storefront'),
        REDIS_URL: env.STOREFRONT_REDIS_URL ?? env.REDIS_URL,
        GATEWAY_TOKEN_FILE: await broker.workloadTokenFile('storefront', SITE_TOKEN_AUDIENCE),
        // The demo write key: page views and cart adds reach analytics-ingest.
        ...(devWriteKey && { ANALYTICS_WRITE_KEY: devWriteKey }),
      },
    });
    running.push({ name: 'storefront', url: storefront.url, stop: storefront.stop });
  }
  // The campaign landing pages (sites/landing) on the gateway, linking into the storefront, with
  // the demo write key for page views. LANDING=false leaves them out.
  if (env.LANDING !== 'false') {
    const landing = await startLanding({
      port: Number(env.LANDING_PORT ?? 4322),
      gatewayUrl: localServiceUrl('api-gateway'),
      mode: processes ? 'built' : 'dev',
      env: {
        STOREFRONT_ORIGIN:
          running.find((r) => r.name === 'storefront')?.url ??
          `http://127.0.0.1:${env.STOREFRONT_PORT ?? 4321}`,
        GATEWAY_TOKEN_FILE: await broker.workloadTokenFile('landing', SITE_TOKEN_AUDIENCE),
        ...(devWriteKey && { ANALYTICS_WRITE_KEY: devWriteKey }),
      },
    });
    running.push({ name: 'landing', url: landing.url, stop: landing.stop });
  }
  // The back office (sites/admin) on the gateway, the same way. ADMIN=false leaves it out.
  if (env.ADMIN !== 'false') {
    const admin = await startAdmin({
      port: Number(env.ADMIN_PORT ?? 4323),
      gatewayUrl: localServiceUrl('api-gateway'),
      mode: processes ? 'built' : 'dev',
      env: {
        REDIS_URL: env.ADMIN_REDIS_URL ?? env.REDIS_URL,
        GATEWAY_TOKEN_FILE: await broker.workloadTokenFile('admin', SITE_TOKEN_AUDIENCE),
      },
    });
    running.push({ name: 'admin', url: admin.url, stop: admin.stop });
  }
  // A Prometheus of its own when Debian's prometheus is installed (DEV_PROMETHEUS=false: none).
  let prometheusUrl: string | undefined;
  if (env.DEV_PROMETHEUS !== 'false') {
    const targets = [
      ...DEV_FUNCTIONS.map((fn) => ({
        job: fn.name,
        url: running.find((r) => r.name === `${fn.name} ops`)?.url ?? localServiceUrl(fn.name),
      })),
      { job: 'broker', url: `http://127.0.0.1:${brokerPort}` },
    ];
    const prometheus = await startDevPrometheus(targets, Number(env.DEV_PROMETHEUS_PORT ?? 9090));
    if (prometheus) {
      running.unshift({ name: 'prometheus', url: prometheus.url, stop: prometheus.stop });
      prometheusUrl = prometheus.url;
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
      ...running
        .filter((r) => r.name === 'storefront')
        .map((r) => `  the shop       ${r.url}  (storefront: browse, cart, sign up, checkout)`),
      ...running
        .filter((r) => r.name === 'landing')
        .map(
          (r) =>
            `  landing page   ${r.url}/summer-sale  (campaign: headline A/B by flag, promo banner)`,
        ),
      ...running
        .filter((r) => r.name === 'admin')
        .map(
          (r) =>
            `  back office    ${r.url}  (staff: dashboard, products, audit log, flags, reports${devStaff ? `; sign in as ${devStaff.email} / ${devStaff.password}` : ''})`,
        ),
      `  catalog        ${gatewayUrl}/api/offers?q=coffee`,
      `  categories     ${gatewayUrl}/api/categories`,
      `  OpenAPI        ${gatewayUrl}/openapi.json`,
      `  API reference  ${gatewayUrl}/docs`,
      `  cart           ${gatewayUrl}/api/cart  (checkout: POST /api/cart/checkout with Idempotency-Key)`,
      `  sign up        POST ${gatewayUrl}/api/auth/signup  {"email","password","name"}`,
      `  sign in        POST ${gatewayUrl}/api/auth/login   {"email","password"}`,
      ...(devStaff
        ? [
            `  affiliate link ${gatewayUrl}/r/summer-sale  (demo links seeded on the embedded database; staff: /api/admin/links)`,
          ]
        : []),
      `  flags          ${gatewayUrl}/ofrep/v1/evaluate/flags  (OFREP, POST {"context":{"targetingKey":"…"}})`,
      `  reports        ${gatewayUrl}/api/admin/reports/sales?from=2026-01-01&to=2026-12-31&zone=Europe/Berlin&interval=month  (staff; Accept: text/csv for CSV)`,
      `  audit log      ${gatewayUrl}/api/admin/audit  (staff; /verify checks it against the signed checkpoints)`,
      '',
      ...(devStaff ? [`  staff login    ${devStaff.email} / ${devStaff.password}`, ''] : []),
      ...(mailboxUrl
        ? [
            `  dev mailbox    ${mailboxUrl}  (every mail notification sent: welcome, reset links, receipts)`,
            `  reset password POST ${gatewayUrl}/api/auth/password-reset  {"email"}; failed mails: ${gatewayUrl}/api/admin/notifications (staff)`,
            '',
          ]
        : []),
      ...(devWriteKey
        ? [
            `  analytics      POST ${gatewayUrl}/api/analytics/v1/track  (Segment; write key ${devWriteKey})`,
            '',
          ]
        : []),
      ...(traces
        ? [
            `  a trace        ${traces.url}/traces?request_id=<x-request-id of an answer or log line>`,
          ]
        : [
            `  traces         exported to ${env.OTEL_EXPORTER_OTLP_ENDPOINT ?? env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT}`,
          ]),
      prometheusUrl
        ? `  prometheus     ${prometheusUrl}  (scraping every function every 5 s, with the alerting rules)`
        : '  prometheus     not started: apt-get install prometheus to scrape the dev functions',
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
