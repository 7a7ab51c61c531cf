// The preload every function starts with: `node --import @shop/shared/telemetry/preload dist/main.js`.
// ESM needs the module hook registered before the function's imports are resolved, so pg,
// ioredis, kafkajs and pino can be instrumented as they load; see tracing.ts for the settings.
import { register } from 'node:module';
import { startTelemetry } from './tracing.js';

if (process.env.OTEL_SDK_DISABLED !== 'true') {
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url, {
    data: { include: ['pg', 'pg-pool', 'ioredis', 'kafkajs', 'pino'] },
  });
}
const telemetry = startTelemetry(process.env);

// Spans still buffered are sent before the process exits (Knative sends SIGTERM first).
process.once('beforeExit', () => void telemetry.shutdown());
