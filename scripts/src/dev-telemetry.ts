// The tracing preload of `npm run dev`: without an OTLP endpoint of your own, spans are kept in
// memory (OTEL_TRACES_EXPORTER=memory) for the dev trace pages instead of being dropped.
if (
  !process.env.OTEL_EXPORTER_OTLP_ENDPOINT &&
  !process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT &&
  !process.env.OTEL_TRACES_EXPORTER
) {
  process.env.OTEL_TRACES_EXPORTER = 'memory';
}
// One process holds every function here; DEV_PROCESSES children are named after theirs.
process.env.OTEL_SERVICE_NAME ??= 'shop-dev';
await import('@shop/shared/telemetry/preload');
