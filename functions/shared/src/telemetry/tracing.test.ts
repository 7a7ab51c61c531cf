import { ROOT_CONTEXT, SpanKind, TraceFlags, trace } from '@opentelemetry/api';
import { tracing } from '@opentelemetry/sdk-node';
import { describe, expect, it } from 'vitest';
import { contextOf, currentTraceparent, isInstrumented, spanContextOf } from './trace-context.js';
import {
  passUnsampledThrough,
  queryNames,
  resourceAttributesOf,
  samplerFor,
  startTelemetry,
  traceExportOf,
} from './tracing.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SAMPLED_PARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`;

function decide(sampler: tracing.Sampler | undefined, parent = ROOT_CONTEXT) {
  if (!sampler) throw new Error('expected a sampler');
  return sampler.shouldSample(parent, TRACE_ID, 'GET /', SpanKind.SERVER, {}, []).decision;
}

describe('traceExportOf', () => {
  it('exports over OTLP only when an endpoint is set, and nothing otherwise', () => {
    expect(traceExportOf({})).toBe('none');
    expect(traceExportOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe('otlp');
    expect(traceExportOf({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces' })).toBe(
      'otlp',
    );
  });

  it('takes OTEL_TRACES_EXPORTER when given, and refuses what it does not know', () => {
    expect(traceExportOf({ OTEL_TRACES_EXPORTER: 'memory' })).toBe('memory');
    expect(traceExportOf({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'x' })).toBe(
      'none',
    );
    expect(() => traceExportOf({ OTEL_TRACES_EXPORTER: 'jaeger' })).toThrow(/expected otlp/);
  });
});

describe('startTelemetry', () => {
  it('without an exporter starts no SDK: the kit passes trace context on by hand', () => {
    const telemetry = startTelemetry({});
    expect(telemetry.export).toBe('none');
    expect(isInstrumented()).toBe(false);
  });
});

describe('resourceAttributesOf', () => {
  it('names the Knative Service, revision and configuration', () => {
    expect(
      resourceAttributesOf({
        K_SERVICE: 'cart',
        K_REVISION: 'cart-00042',
        K_CONFIGURATION: 'cart',
        POD_NAMESPACE: 'shop',
      }),
    ).toEqual({
      'service.name': 'cart',
      'service.namespace': 'shop',
      'faas.name': 'cart',
      'faas.version': 'cart-00042',
      'knative.revision': 'cart-00042',
      'knative.configuration': 'cart',
    });
  });

  it('prefers OTEL_SERVICE_NAME, else the package of the entry script', () => {
    expect(
      resourceAttributesOf({ OTEL_SERVICE_NAME: 'x', K_SERVICE: 'cart' })['service.name'],
    ).toBe('x');
    const script = new URL('../index.ts', import.meta.url).pathname;
    expect(resourceAttributesOf({}, script)['service.name']).toBe('shared');
  });
});

describe('samplerFor', () => {
  const remote = (traceparent: string) => contextOf(traceparent);

  it('samples roots at OTEL_TRACES_SAMPLER_ARG and follows a sampled parent', () => {
    expect(decide(samplerFor('otlp', { OTEL_TRACES_SAMPLER_ARG: '0' }))).toBe(
      tracing.SamplingDecision.NOT_RECORD,
    );
    expect(decide(samplerFor('otlp', {}))).toBe(tracing.SamplingDecision.RECORD_AND_SAMPLED);
    expect(
      decide(samplerFor('otlp', { OTEL_TRACES_SAMPLER_ARG: '0' }), remote(SAMPLED_PARENT)),
    ).toBe(tracing.SamplingDecision.RECORD_AND_SAMPLED);
    expect(() => samplerFor('otlp', { OTEL_TRACES_SAMPLER_ARG: '2' })).toThrow(/0\.\.1/);
  });

  it('at the public edge does not obey a caller who asks for sampling', () => {
    const edge = samplerFor('otlp', { OTEL_TRACES_SAMPLER_ARG: '0', TRACE_PUBLIC_EDGE: 'true' });
    expect(decide(edge, remote(SAMPLED_PARENT))).toBe(tracing.SamplingDecision.NOT_RECORD);
  });
});

describe('trace context helpers', () => {
  it('reads a W3C traceparent and writes it back', () => {
    const spanContext = spanContextOf(SAMPLED_PARENT);
    expect(spanContext).toMatchObject({
      traceId: TRACE_ID,
      spanId: '00f067aa0ba902b7',
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    });
    expect(currentTraceparent(contextOf(SAMPLED_PARENT))).toBe(SAMPLED_PARENT);
  });

  it('ignores malformed and all-zero ids', () => {
    for (const bad of [
      undefined,
      '',
      `01-${TRACE_ID}-00f067aa0ba902b7-01`,
      `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`,
      `00-${TRACE_ID}-${'0'.repeat(16)}-01`,
      `00-${TRACE_ID.toUpperCase()}-00f067aa0ba902b7-01`,
    ]) {
      expect(spanContextOf(bad)).toBeUndefined();
      expect(trace.getSpanContext(contextOf(bad))).toBeUndefined();
    }
  });
});

describe('passUnsampledThrough (the undici ignore hook)', () => {
  const within = (traceFlags: number, traceState?: string) =>
    trace.setSpanContext(ROOT_CONTEXT, {
      traceId: TRACE_ID,
      spanId: '00f067aa0ba902b7',
      traceFlags,
      ...(traceState && { traceState: new TraceStateForTest(traceState) }),
    });

  it('sends a call inside an unsampled span on with its trace context and no client span', () => {
    const added: [string, string][] = [];
    const request = { addHeader: (name: string, value: string) => added.push([name, value]) };
    expect(passUnsampledThrough(request, within(TraceFlags.NONE, 'shop=1'))).toBe(true);
    expect(added).toEqual([
      ['traceparent', `00-${TRACE_ID}-00f067aa0ba902b7-00`],
      ['tracestate', 'shop=1'],
    ]);
    // Older undici versions hand out the raw header block or a flat array.
    const block = { headers: 'host: offer\r\n' };
    passUnsampledThrough(block, within(TraceFlags.NONE));
    expect(block.headers).toBe(
      `host: offer\r\ntraceparent: 00-${TRACE_ID}-00f067aa0ba902b7-00\r\n`,
    );
    const flat = { headers: ['host', 'offer'] };
    passUnsampledThrough(flat, within(TraceFlags.NONE));
    expect(flat.headers).toEqual([
      'host',
      'offer',
      'traceparent',
      `00-${TRACE_ID}-00f067aa0ba902b7-00`,
    ]);
  });

  it('leaves calls in a sampled span, or in none, to the instrumentation', () => {
    const request = { headers: [] as string[] };
    expect(passUnsampledThrough(request, within(TraceFlags.SAMPLED))).toBe(false);
    expect(passUnsampledThrough(request, ROOT_CONTEXT)).toBe(false);
    expect(request.headers).toEqual([]);
  });
});

describe('queryNames', () => {
  it('keeps the names of a query and none of its values', () => {
    expect(queryNames('token=secret-reset-token&q=ada%40example.com&flag')).toBe(
      '?token=&q=&flag=',
    );
    expect(queryNames('')).toBe('?');
  });
});

/** A W3C tracestate as the API's TraceState interface (the SDK's own lives in core). */
class TraceStateForTest {
  constructor(private readonly value: string) {}
  set() {
    return this;
  }
  unset() {
    return this;
  }
  get() {
    return undefined;
  }
  serialize() {
    return this.value;
  }
}
