import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { mergeHeaders, type ResponseHeadersEnv, responseHeaders } from './index.js';

function appAnswering(merged: boolean) {
  const app = new Hono<ResponseHeadersEnv>();
  app.use(responseHeaders());
  app.use((c, next) => {
    c.get('responseHeaders').push({ 'x-policy': 'first', vary: 'Origin' });
    c.get('responseHeaders').push({ 'x-policy': 'second', 'x-limit': '3' });
    return next();
  });
  app.get('/', (c) => {
    if (merged) c.set('responseHeadersMerged', true);
    c.header('vary', 'Accept-Language');
    c.header('x-policy', 'handler');
    return c.text('ok');
  });
  return app;
}

describe('responseHeaders', () => {
  it('sets every record on the gateway’s own answer, later ones winning and Vary combined', async () => {
    const res = await appAnswering(false).request('/');
    expect(res.headers.get('x-policy')).toBe('second');
    expect(res.headers.get('x-limit')).toBe('3');
    expect(res.headers.get('vary')).toBe('Accept-Language, Origin');
  });

  it('leaves an answer alone that has them merged already', async () => {
    const res = await appAnswering(true).request('/');
    expect(res.headers.get('x-policy')).toBe('handler');
    expect(res.headers.get('x-limit')).toBeNull();
  });
});

describe('mergeHeaders', () => {
  it('lets the gateway’s value win, except Vary, which is combined, and keeps repeated fields', () => {
    const fields: Record<string, string | string[]> = {
      vary: 'Accept-Language',
      'content-security-policy': 'default-src *',
      'set-cookie': ['a=1', 'b=2'],
    };
    mergeHeaders(fields, { vary: 'Origin', 'content-security-policy': "default-src 'none'" });
    expect(fields).toEqual({
      vary: 'Accept-Language, Origin',
      'content-security-policy': "default-src 'none'",
      'set-cookie': ['a=1', 'b=2'],
    });
  });
});
