import { describe, expect, it } from 'vitest';
import { nextTraceContext } from './trace-context.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

describe('nextTraceContext', () => {
  it('starts a sampled trace when there is none', () => {
    const { traceparent, tracestate } = nextTraceContext();
    expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(tracestate).toBeUndefined();
  });

  it('keeps the trace id and flags and makes a new parent id', () => {
    const next = nextTraceContext(`00-${TRACE_ID}-00f067aa0ba902b7-00`, 'a=1');
    expect(next.traceparent).toMatch(new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-00$`));
    expect(next.traceparent).not.toContain('00f067aa0ba902b7');
    expect(next.tracestate).toBe('a=1');
  });

  it('accepts a future version by its first four fields', () => {
    const next = nextTraceContext(`01-${TRACE_ID}-00f067aa0ba902b7-01-extra`);
    expect(next.traceparent.split('-')[1]).toBe(TRACE_ID);
  });

  it.each([
    'garbage',
    `ff-${TRACE_ID}-00f067aa0ba902b7-01`,
    `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`,
    `00-${TRACE_ID}-${'0'.repeat(16)}-01`,
    `00-${TRACE_ID.toUpperCase()}-00f067aa0ba902b7-01`,
    `00-${TRACE_ID}-00f067aa0ba902b7-01-extra`,
  ])('starts a new trace instead of continuing the invalid %s', (invalid) => {
    const next = nextTraceContext(invalid, 'a=1');
    expect(next.traceparent.split('-')[1]).not.toBe(TRACE_ID);
    expect(next.tracestate).toBeUndefined();
  });
});
