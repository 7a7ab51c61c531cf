// The files of a new function, as `npm run new-function -- <name>` writes them: a declaration to
// the kit, an app with one documented route and its test, a first migration, a README and the
// Knative manifests. Everything else (start-up, migrate job, outbox, /events) comes from the kit.

/** What the templates are filled with. */
export interface NewFunction {
  /** Knative Service name, kebab-case: `gift-card`. */
  name: string;
  /** camelCase identifier of the declaration: `giftCard`. */
  identifier: string;
  /** PascalCase for types: `GiftCard`. */
  typeName: string;
  /** PostgreSQL schema: `gift_card`. */
  schema: string;
  /** Local port in `npm run dev`. */
  port: number;
}

/** The files to write, by path relative to the repository root. */
export function renderFunction(fn: NewFunction): Record<string, string> {
  const dir = `functions/${fn.name}`;
  return {
    [`${dir}/package.json`]: `${JSON.stringify(packageJson(fn), null, 2)}\n`,
    [`${dir}/tsconfig.json`]: `${JSON.stringify(
      { extends: '../../tsconfig.base.json', include: ['src', '*.ts'] },
      null,
      2,
    )}\n`,
    [`${dir}/tsconfig.build.json`]: `${JSON.stringify(
      {
        extends: './tsconfig.json',
        compilerOptions: { outDir: 'dist', rootDir: 'src', customConditions: [] },
        include: ['src'],
        exclude: ['src/**/*.test.ts', 'src/testing'],
      },
      null,
      2,
    )}\n`,
    [`${dir}/README.md`]: readme(fn),
    [`${dir}/migrations/001_${fn.schema}.sql`]: migration(fn),
    [`${dir}/src/main.ts`]: main(fn),
    [`${dir}/src/events.ts`]: events(fn),
    [`${dir}/src/deps.ts`]: deps(fn),
    [`${dir}/src/app.ts`]: app(fn),
    [`${dir}/src/routes/status.ts`]: statusRoute(fn),
    [`${dir}/src/routes/status.test.ts`]: statusTest(fn),
    [`knative/services/${fn.name}.yaml`]: knativeService(fn),
    [`knative/services/${fn.name}-migrate-job.yaml`]: migrateJob(fn),
  };
}

function packageJson(fn: NewFunction) {
  return {
    name: `@shop/${fn.name}`,
    version: '0.1.0',
    private: true,
    type: 'module',
    description: `${fn.name} (Knative Service \`${fn.name}\`).`,
    main: './dist/main.js',
    exports: {
      '.': { source: './src/main.ts', types: './dist/main.d.ts', default: './dist/main.js' },
    },
    scripts: {
      typecheck: 'tsc --noEmit -p tsconfig.json',
      build: 'tsc -p tsconfig.build.json',
      start: 'node --import @shop/shared/telemetry/preload dist/main.js',
      migrate: 'node dist/main.js migrate',
      'migrate:dev': 'node --conditions=source --import tsx src/main.ts migrate',
    },
    dependencies: {
      '@hono/zod-openapi': '^1.6.3',
      '@shop/eventing': '0.1.0',
      '@shop/shared': '0.1.0',
      hono: '^4.13.19',
      zod: '^4.6.7',
    },
  };
}

function main(fn: NewFunction): string {
  return `// The ${fn.name} function as the kit runs it: \`node dist/main.js\` serves,
// \`node dist/main.js migrate\` is the migration job.
import { defineFunction } from '@shop/shared';
import { createApp } from './app.js';
import { events } from './events.js';

export { createApp, type ${fn.typeName}AppDeps } from './app.js';
export { events } from './events.js';

/**
 * ${fn.name}: PostgreSQL schema \`${fn.schema}\`, port ${fn.port}.
 * @example const running = await ${fn.identifier}.start({ port: 0, handleSignals: false }); await running.shutdown();
 */
export const ${fn.identifier} = defineFunction({
  name: '${fn.name}',
  port: ${fn.port},
  // Settings of its own, validated at start: e.g. OFFER_URL: z.url().default('http://127.0.0.1:8083')
  config: {},
  database: { migrations: new URL('../migrations/', import.meta.url) },
  events,
  createApp,
});

${fn.identifier}.runIfEntryPoint(import.meta.url);
`;
}

function events(fn: NewFunction): string {
  return `// The events ${fn.name} publishes and consumes (types from the catalog in eventing/); the kit
// derives its outbox writes, relay and /events receiver from this.
import { eventCatalog } from '@shop/eventing';
import { defineEvents } from '@shop/shared';

export const events = defineEvents({
  catalog: eventCatalog,
  producer: '${fn.name}',
  publishes: [],
  consumes: [],
});
`;
}

function deps(fn: NewFunction): string {
  return `import type { Database } from '@shop/shared';

/** The dependencies route handlers use, defaults filled in (see \`createApp\`). */
export interface ${fn.typeName}Deps {
  db: Database;
  clock: () => Date;
}
`;
}

function app(fn: NewFunction): string {
  return `import type { OpenAPIHono } from '@hono/zod-openapi';
import {
  createServiceApp,
  type Database,
  type Lifecycle,
  type Logger,
  type ServiceEnv,
  type ServiceMetrics,
  type TokenVerifier,
} from '@shop/shared';
import type { ${fn.typeName}Deps } from './deps.js';
import { registerStatusRoutes } from './routes/status.js';

/** What the ${fn.name} app is built from; the kit passes the real ones, tests their own. */
export interface ${fn.typeName}AppDeps {
  db: Database;
  log: Logger;
  metrics?: ServiceMetrics;
  lifecycle?: Lifecycle;
  /** Source of "now" (default: the system clock). */
  clock?: () => Date;
  /** Verifies callers' access tokens (the kit's, from auth's JWKS; tests: \`testVerifyToken\`). */
  verifyToken: TokenVerifier;
}

/**
 * The ${fn.name} function's routes, /healthz, /readyz, /metrics and /openapi.json. No side
 * effects, no environment reads.
 * @example const app = createApp({ db, log, verifyToken }); const res = await app.request('/api/${fn.name}/status');
 */
export function createApp(deps: ${fn.typeName}AppDeps): OpenAPIHono<ServiceEnv> {
  const { db, log } = deps;
  const app = createServiceApp({
    service: '${fn.name}',
    log,
    verifyToken: deps.verifyToken,
    ...(deps.metrics && { metrics: deps.metrics }),
    ...(deps.lifecycle && { lifecycle: deps.lifecycle }),
    readiness: { database: () => db.ping() },
  });
  const routeDeps: ${fn.typeName}Deps = { db, clock: deps.clock ?? (() => new Date()) };
  registerStatusRoutes(app, routeDeps);
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: { title: '${fn.name}', version: '1.0.0', description: 'TODO: what ${fn.name} does.' },
  });
  return app;
}
`;
}

function statusRoute(fn: NewFunction): string {
  return `// GET /api/${fn.name}/status — the function's first route: what it knows about itself
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { ServiceEnv } from '@shop/shared';
import type { ${fn.typeName}Deps } from '../deps.js';

const StatusSchema = z
  .object({
    service: z.literal('${fn.name}'),
    time: z.iso.datetime().openapi({ example: '2026-01-01T00:00:00.000Z' }),
  })
  .openapi('${fn.typeName}Status');

const statusRoute = createRoute({
  method: 'get',
  path: '/api/${fn.name}/status',
  summary: 'The service name and its clock',
  responses: {
    200: { description: 'Up', content: { 'application/json': { schema: StatusSchema } } },
  },
});

/** Registers the status route. */
export function registerStatusRoutes(app: OpenAPIHono<ServiceEnv>, deps: ${fn.typeName}Deps): void {
  app.openapi(statusRoute, (c) =>
    c.json({ service: '${fn.name}' as const, time: deps.clock().toISOString() }, 200),
  );
}
`;
}

function statusTest(fn: NewFunction): string {
  return `import { silentLogger } from '@shop/shared';
import { testDatabase, testVerifyToken } from '@shop/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.js';
import { ${fn.identifier} } from '../main.js';

let db: Awaited<ReturnType<typeof testDatabase>>;
beforeAll(async () => {
  db = await testDatabase();
  await ${fn.identifier}.applyMigrations(db.db);
});
afterAll(() => db.cleanup());

describe('GET /api/${fn.name}/status', () => {
  it('answers with the service name and the time of its clock', async () => {
    const app = createApp({
      db: db.db,
      log: silentLogger(),
      clock: () => new Date('2026-01-01T00:00:00Z'),
      verifyToken: testVerifyToken,
    });
    const res = await app.request('/api/${fn.name}/status');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ service: '${fn.name}', time: '2026-01-01T00:00:00.000Z' });
  });

  it('documents the route in /openapi.json', async () => {
    const app = createApp({ db: db.db, log: silentLogger(), verifyToken: testVerifyToken });
    const doc = (await (await app.request('/openapi.json')).json()) as { paths: object };
    expect(Object.keys(doc.paths)).toContain('/api/${fn.name}/status');
  });
});
`;
}

function migration(fn: NewFunction): string {
  return `-- ${fn.name}'s first migration. Migrations are forward-only and never edited once applied.

-- Events recorded in the same transaction as the change they describe; the kit's relay
-- publishes them to K_SINK.
CREATE TABLE ${fn.schema}.outbox (
  id uuid PRIMARY KEY,
  type text NOT NULL,
  subject text,
  partition_key text,
  data jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz,
  attempts int NOT NULL DEFAULT 0,
  last_error text,
  -- The relay's retry state (backoff per partition key) and parking (refused for good, too
  -- large or out of attempts: staff retry it at /api/admin/events/${fn.name}/parked).
  next_attempt_at timestamptz,
  last_attempt_at timestamptz,
  parked_at timestamptz,
  parked_reason text CHECK (parked_reason IN ('refused', 'too_large', 'invalid', 'exhausted')),
  traceparent text,
  -- The request that caused it: published as the requestid extension (audit names it).
  request_id text
);
-- The relay's reads: pending rows in id order, and the pending rows of a partition key.
CREATE INDEX outbox_pending_idx ON ${fn.schema}.outbox (id) WHERE published_at IS NULL;
CREATE INDEX outbox_pending_key_idx ON ${fn.schema}.outbox (partition_key, id)
  WHERE published_at IS NULL;
CREATE INDEX outbox_parked_idx ON ${fn.schema}.outbox (id) WHERE parked_at IS NOT NULL;

-- Events already handled (source + id), so a redelivery changes nothing.
CREATE TABLE ${fn.schema}.inbox (
  source text NOT NULL,
  id text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (source, id)
);
`;
}

function readme(fn: NewFunction): string {
  return `# ${fn.name}

Knative Service \`${fn.name}\` (local port **${fn.port}**), PostgreSQL schema **\`${fn.schema}\`**.
TODO: one paragraph on what it does and for whom.

\`\`\`
src/main.ts           the declaration to the kit (defineFunction): config, database, events, app
src/events.ts         the event types it publishes and consumes (defineEvents)
src/app.ts            createApp(deps): the Hono app, no side effects
src/deps.ts           what route handlers get
src/routes/           one file per resource, each route declared once with createRoute
src/domain/           pure logic, one verb-noun function per file
migrations/           001_${fn.schema}.sql
\`\`\`

## Routes

| Method | Path | What | Answers |
| ------ | ---- | ---- | ------- |
| GET | \`/api/${fn.name}/status\` | The service name and its clock | 200 |

Every function also serves \`/healthz\`, \`/readyz\`, \`/metrics\` and \`/openapi.json\`.

## Events

Publishes: none yet. Consumes: none yet (\`src/events.ts\`; add Triggers in \`knative/eventing/\`).

## Tables

| table | what |
| ----- | ---- |
| \`${fn.schema}.outbox\` | events waiting for the relay |
| \`${fn.schema}.inbox\` | events already handled |

## Settings

The shared ones (\`PORT\` default ${fn.port}, \`DATABASE_URL\`, \`K_SINK\`, \`LOG_LEVEL\`,
\`RUN_MIGRATIONS\`, \`PGLITE_DATA_DIR\`, … — see \`functions/shared/README.md\`); none of its own yet.
`;
}

function knativeService(fn: NewFunction): string {
  return `# ${fn.name}: see functions/${fn.name}/README.md. Migrations run as the \`${fn.name}-migrate\` Job before a rollout.
apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: ${fn.name}
  namespace: shop
  labels:
    app.kubernetes.io/part-of: shop
    networking.knative.dev/visibility: cluster-local
spec:
  template:
    metadata:
      annotations:
        autoscaling.knative.dev/max-scale: "10"
        autoscaling.knative.dev/target: "100"
    spec:
      serviceAccountName: ${fn.name}
      containerConcurrency: 0
      timeoutSeconds: 30
      containers:
        - name: ${fn.name}
          image: ${fn.name}
          # The function's \`start\` script: the tracing preload starts OpenTelemetry before the
          # function's modules load (ESM needs --import), as scripts/src/function-process.ts runs it.
          command: ["node", "--import", "@shop/shared/telemetry/preload", "dist/main.js"]
          ports:
            - containerPort: 8080
          env:
            - name: LOG_LEVEL
              value: info
            # Spans over OTLP/HTTP to the cluster's collector (knative/observability/tracing/),
            # a tenth of new traces; a sampled parent's decision is kept (parent-based).
            - name: OTEL_EXPORTER_OTLP_ENDPOINT
              value: http://otel-collector.observability.svc.cluster.local:4318
            - name: OTEL_TRACES_SAMPLER_ARG
              value: "0.1"
            - name: RUN_MIGRATIONS
              value: "false"
            - name: DATABASE_URL
              valueFrom:
                secretKeyRef:
                  name: ${fn.name}-database
                  key: url
          readinessProbe:
            httpGet:
              path: /readyz
          livenessProbe:
            httpGet:
              path: /healthz
          resources:
            requests:
              cpu: 100m
              memory: 128Mi
            limits:
              memory: 256Mi
`;
}

function migrateJob(fn: NewFunction): string {
  return `# Applies ${fn.name}'s migrations before a rollout (cold starts only check the schema).
apiVersion: batch/v1
kind: Job
metadata:
  name: ${fn.name}-migrate
  namespace: shop
  labels:
    app.kubernetes.io/part-of: shop
spec:
  backoffLimit: 2
  template:
    spec:
      serviceAccountName: ${fn.name}
      restartPolicy: Never
      containers:
        - name: migrate
          image: ${fn.name}
          command: ["node", "dist/main.js", "migrate"]
          env:
            - name: DATABASE_URL
              valueFrom:
                secretKeyRef:
                  name: ${fn.name}-database
                  key: url
`;
}
