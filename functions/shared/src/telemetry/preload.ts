// The preload every function starts with: `node --import @shop/shared/telemetry/preload dist/main.js`.
// With an exporter configured (see tracing.ts) it registers OpenTelemetry's ESM hook before the
// function's imports are resolved, so pg, ioredis, kafkajs and pino are instrumented as they load,
// and starts the SDK. Without one it loads nothing: tracing then costs nothing.
import { register } from 'node:module';
import { traceExportOf } from './export-kind.js';

const env = process.env;
if (env.OTEL_SDK_DISABLED !== 'true' && traceExportOf(env) !== 'none') {
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url, {
    data: { include: ['pg', 'pg-pool', 'ioredis', 'kafkajs', 'pino'] },
  });
  const { startTelemetry } = await import('./tracing.js');
  const telemetry = startTelemetry(env);
  // Spans still buffered are sent before the process exits (the kit flushes them on SIGTERM).
  process.once('beforeExit', () => void telemetry.shutdown());
}
