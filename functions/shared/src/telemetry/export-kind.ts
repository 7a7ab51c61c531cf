// Which trace exporter the environment asks for: read by the preload before it decides whether to
// load the SDK at all, so it must not import it.
type Env = Record<string, string | undefined>;

/** Where finished spans go. */
export type TraceExport = 'otlp' | 'console' | 'memory' | 'none';

/** Which exporter the environment asks for (see the file comment). */
export function traceExportOf(env: Env): TraceExport {
  const named = env.OTEL_TRACES_EXPORTER?.split(',')[0]?.trim().toLowerCase();
  if (named === 'otlp' || named === 'console' || named === 'memory' || named === 'none') {
    return named;
  }
  if (named)
    throw new Error(`OTEL_TRACES_EXPORTER=${named}: expected otlp, console, memory or none`);
  return env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
    ? 'otlp'
    : 'none';
}
