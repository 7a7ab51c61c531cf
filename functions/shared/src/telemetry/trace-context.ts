// What the kit's own code needs of tracing, on @opentelemetry/api alone: the current W3C
// `traceparent`, a context continued from one, and spans around the kit's hops (publish,
// consume, deliver). Without the SDK (no preload: unit tests, `npm test` stories) every call is
// a no-op of the API and the stored `traceparent` is still passed on by hand.
import {
  type Attributes,
  type Context,
  context,
  isSpanContextValid,
  type Link,
  ROOT_CONTEXT,
  type Span,
  type SpanContext,
  type SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const INSTRUMENTED = Symbol.for('shop.telemetry.instrumented');

/** Marks this process as traced by the SDK with its HTTP and undici instrumentations. */
export function markInstrumented(): void {
  (globalThis as Record<symbol, unknown>)[INSTRUMENTED] = true;
}

/**
 * True when the SDK runs here: outgoing HTTP calls then get `traceparent` from the undici
 * instrumentation, and setting it by hand would send the header twice.
 */
export function isInstrumented(): boolean {
  return (globalThis as Record<symbol, unknown>)[INSTRUMENTED] === true;
}

/** The span context a valid `traceparent` names (remote), or undefined. */
export function spanContextOf(traceparent: string | undefined): SpanContext | undefined {
  const match = traceparent === undefined ? null : TRACEPARENT.exec(traceparent);
  if (!match) return undefined;
  const [, traceId = '', spanId = '', flags = '00'] = match;
  const spanContext: SpanContext = {
    traceId,
    spanId,
    traceFlags: Number.parseInt(flags, 16),
    isRemote: true,
  };
  return isSpanContextValid(spanContext) ? spanContext : undefined;
}

/** `base` (default: a new root) continued from `traceparent`; `base` itself when it is not valid. */
export function contextOf(traceparent: string | undefined, base: Context = ROOT_CONTEXT): Context {
  const spanContext = spanContextOf(traceparent);
  return spanContext ? trace.setSpanContext(base, spanContext) : base;
}

/** The W3C `traceparent` of the span current in `ctx` (default: the active one), if any. */
export function currentTraceparent(ctx: Context = context.active()): string | undefined {
  return traceparentOf(trace.getSpanContext(ctx));
}

/**
 * The W3C `traceparent` of `span` (without the SDK: of the span it continues, since the API's
 * no-op context manager keeps no active span).
 */
export function spanTraceparent(span: Span): string | undefined {
  return traceparentOf(span.spanContext());
}

function traceparentOf(spanContext: SpanContext | undefined): string | undefined {
  if (!spanContext || !isSpanContextValid(spanContext)) return undefined;
  const flags = (spanContext.traceFlags & 0xff).toString(16).padStart(2, '0');
  return `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`;
}

/** The kit's tracer (`@shop/shared`). */
export function kitTracer() {
  return trace.getTracer('@shop/shared');
}

export interface KitSpanOptions {
  kind: SpanKind;
  attributes?: Attributes;
  links?: Link[];
  /** The parent; default the active context. */
  parent?: Context;
}

/**
 * Runs `work` in a new active span that ends when it settles; a throw marks it as an error.
 * @example await inSpan('publish shop.order.created', { kind: SpanKind.PRODUCER }, () => post());
 */
export async function inSpan<T>(
  name: string,
  options: KitSpanOptions,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = options.parent ?? context.active();
  const span = kitTracer().startSpan(
    name,
    {
      kind: options.kind,
      ...(options.attributes && { attributes: options.attributes }),
      ...(options.links && { links: options.links }),
    },
    parent,
  );
  try {
    return await context.with(trace.setSpan(parent, span), () => work(span));
  } catch (error) {
    span.recordException(error as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
    throw error;
  } finally {
    span.end();
  }
}

/** Exports the spans the SDK still buffers (nothing without the SDK); never throws. */
export async function flushSpans(): Promise<void> {
  // The global provider is a proxy around the SDK's; only the SDK's can flush.
  const proxy = trace.getTracerProvider() as { getDelegate?: () => unknown };
  const provider = (proxy.getDelegate?.() ?? proxy) as { forceFlush?: () => Promise<void> };
  await provider.forceFlush?.().catch(() => undefined);
}
