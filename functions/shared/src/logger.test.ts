import { describe, expect, it } from 'vitest';
import { createLogger, REDACTED, scrubLogLine } from './logger.js';

function capture(level = 'debug') {
  const raw: string[] = [];
  const log = createLogger({
    service: 'test',
    level,
    destination: { write: (line: string) => raw.push(line) },
  });
  const last = () => JSON.parse(raw.at(-1) ?? '{}') as Record<string, unknown>;
  return { log, raw, last };
}

const JWT_LIKE =
  'eyJhbGciOiJFUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiIwMTkzIiwic2lkIjoiczEifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ';

describe('createLogger', () => {
  it('writes one JSON object a line with service, ISO time and the level as a word', () => {
    const { log, raw, last } = capture();
    log.info({ requestId: 'r-1' }, 'hello');
    expect(raw).toHaveLength(1);
    expect(raw[0]?.endsWith('\n')).toBe(true);
    expect(last()).toMatchObject({
      service: 'test',
      level: 'info',
      requestId: 'r-1',
      msg: 'hello',
    });
    expect(String(last().time)).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('keeps the level it is given (LOG_LEVEL)', () => {
    const { log, raw } = capture('warn');
    log.info('dropped');
    log.warn('kept');
    expect(raw).toHaveLength(1);
  });

  it('redacts password, token, secret and api key fields', () => {
    const { log, last } = capture();
    log.info({
      password: 'hunter2',
      token: 'tok',
      body: { newPassword: 'n', refreshToken: 'r', accessToken: 'a', clientSecret: 'c' },
      apiKey: 'k',
      api_key: 'k2',
    });
    expect(last()).toMatchObject({
      password: REDACTED,
      token: REDACTED,
      body: {
        newPassword: REDACTED,
        refreshToken: REDACTED,
        accessToken: REDACTED,
        clientSecret: REDACTED,
      },
      apiKey: REDACTED,
      api_key: REDACTED,
    });
  });

  it('redacts secret-looking string fields at any depth, whatever their exact name', () => {
    const { log, raw } = capture();
    log.info({ a: { b: { c: { userPassword: 'p1', client_secret: 'p2', X_Api_Key: 'p3' } } } });
    expect(raw[0]).not.toMatch(/p1|p2|p3/);
    expect(JSON.parse(raw[0] ?? '')).toMatchObject({
      a: { b: { c: { userPassword: REDACTED, client_secret: REDACTED, X_Api_Key: REDACTED } } },
    });
  });

  it('redacts secret values that are not strings: objects, arrays and numbers', () => {
    const { log, raw, last } = capture();
    log.info({
      credentials: { user: 'u', key: 'k-123' },
      res: { headers: { 'set-cookie': ['a=1', 'b=2'] } },
      deep: { x: { y: { sessionTokens: ['t1', 't2'], otpToken: 123456 } } },
    });
    expect(raw[0]).not.toMatch(/k-123|a=1|b=2|t1|t2|123456/);
    expect(last()).toMatchObject({
      credentials: REDACTED,
      res: { headers: { 'set-cookie': REDACTED } },
      deep: { x: { y: { sessionTokens: REDACTED, otpToken: REDACTED } } },
    });
  });

  it('redacts authorization, cookie, set-cookie and webhook signature headers', () => {
    const { log, raw, last } = capture();
    log.info({
      req: {
        headers: {
          authorization: 'Bearer abc.def.ghi',
          cookie: 'sid=s3cr3t',
          'set-cookie': ['sid=s3cr3t; HttpOnly'],
          'stripe-signature': 't=1,v1=deadbeef',
          'webhook-signature': 'v1,c2ln',
        },
      },
      headers: { Authorization: 'Basic dXNlcjpwYXNz', Cookie: 'a=b' },
    });
    expect(raw[0]).not.toMatch(/abc\.def|s3cr3t|deadbeef|c2ln|dXNlcjpwYXNz|a=b/);
    expect(last()).toMatchObject({
      req: {
        headers: {
          authorization: REDACTED,
          cookie: REDACTED,
          'set-cookie': REDACTED,
          'stripe-signature': REDACTED,
          'webhook-signature': REDACTED,
        },
      },
      headers: { Authorization: REDACTED, Cookie: REDACTED },
    });
  });

  it('redacts bearer tokens and JWTs inside free text', () => {
    const { log, raw } = capture();
    log.warn(`sent Authorization: Bearer ${JWT_LIKE} to offer`);
    log.info({ note: `token was ${JWT_LIKE}.` }, 'x');
    log.info('Bearer opaque-token_123 refused');
    const text = raw.join('');
    expect(text).not.toContain('eyJ');
    expect(text).not.toContain('opaque-token_123');
    expect(JSON.parse(raw[0] ?? '').msg).toBe(`sent Authorization: Bearer ${REDACTED} to offer`);
    expect(JSON.parse(raw[1] ?? '').note).toBe(`token was ${REDACTED}`);
  });

  it('redacts webhook secrets (whsec_…) and provider API keys in any value', () => {
    const { log, raw } = capture();
    log.error({ detail: 'secret whsec_abcDEF123456 rejected', key: 'sk_test_simulator' }, 'x');
    expect(raw[0]).not.toMatch(/abcDEF123456|simulator/);
    expect(JSON.parse(raw[0] ?? '')).toMatchObject({
      detail: `secret whsec_${REDACTED} rejected`,
      key: `sk_test_${REDACTED}`,
    });
  });

  it('redacts opaque tokens and payment client secrets in free text, keeping hex ids and key ids', () => {
    const { log, last } = capture();
    const refreshToken = 'q3fX9_kL2mN8pQ4rS6tU0vW1xY5zA7bC3dE9fG2hJ4k';
    log.info({
      path: `/api/x/${refreshToken}/y`,
      note: 'intent pi_3Nabc_secret_Zyx987 created',
      trace: '4bf92f3577b34da6a3ce929d0e0e4736',
      hash: 'a'.repeat(40),
      kid: 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs',
    });
    expect(last()).toMatchObject({
      path: `/api/x/${REDACTED}/y`,
      note: `intent pi_3Nabc_secret_${REDACTED} created`,
      trace: '4bf92f3577b34da6a3ce929d0e0e4736',
      hash: 'a'.repeat(40),
      kid: 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs',
    });
  });

  it('masks full email addresses in any field and in err.message, keeping the domain', () => {
    const { log, raw, last } = capture();
    log.info({ email: 'ada.lovelace@example.com', nested: { to: ['_grace@shop.example.org'] } });
    expect(last()).toMatchObject({
      email: 'a***@example.com',
      nested: { to: ['_***@shop.example.org'] },
    });
    log.error({ err: new Error('duplicate key: ada.lovelace@example.com') }, 'signup failed');
    const err = last().err as { message: string; stack: string };
    expect(err.message).toBe('duplicate key: a***@example.com');
    expect(raw.join('')).not.toContain('lovelace');
  });

  it('masks Luhn-valid card numbers but keeps other numbers, times and UUIDs', () => {
    const { log, last } = capture();
    const userId = '01938a4b-1234-7abc-8def-0123456789ab';
    log.info({
      note: 'card 4242 4242 4242 4242 and 4000056655665556',
      other: 'order 1234567890123',
      at: 1764635361000,
      userId,
    });
    expect(last()).toMatchObject({
      note: 'card ************4242 and ************5556',
      other: 'order 1234567890123',
      at: 1764635361000,
      userId,
    });
  });

  it('redacts passwords of connection strings and secrets in query strings', () => {
    const { log, last } = capture();
    log.info({
      url: 'postgres://shop:pa55word@db:5432/shop',
      path: '/cb?code=1&access_token=abc123&state=x',
    });
    expect(last()).toMatchObject({
      url: `postgres://shop:${REDACTED}@db:5432/shop`,
      path: `/cb?code=1&access_token=${REDACTED}&state=x`,
    });
  });

  it('redacts secret fields of JSON held in a string', () => {
    const { log, raw } = capture();
    log.info({ body: JSON.stringify({ email: 'x@y.io', password: 'hunter2' }) }, 'raw body');
    expect(raw[0]).not.toContain('hunter2');
    expect(JSON.parse(JSON.parse(raw[0] ?? '').body)).toEqual({
      email: 'x***@y.io',
      password: REDACTED,
    });
  });

  it('keeps request ids, trace ids, routes, user ids and ordinary messages intact', () => {
    const { log, last } = capture();
    const fields = {
      requestId: '7f0c9a7e-3b1e-4c6e-9d0a-2f1e5b6c7d8e',
      trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
      span_id: '00f067aa0ba902b7',
      route: '/api/cart/orders/:id',
      userId: '01938a4b-5c6d-7e8f-9a0b-1c2d3e4f5a6b',
      status: 201,
      durationMs: 12.5,
    };
    log.info(
      { ...fields, tokenType: 'Bearer', defaultAuthorizationMode: 'allow-same-namespace' },
      'a basic check: Bearer token missing',
    );
    expect(last()).toMatchObject({
      ...fields,
      tokenType: 'Bearer',
      defaultAuthorizationMode: 'allow-same-namespace',
      msg: 'a basic check: Bearer token missing',
    });
  });

  it('child loggers are redacted too', () => {
    const { log, last } = capture();
    log.child({ requestId: 'r' }).info({ password: 'x' }, 'for ada@example.com');
    expect(last()).toMatchObject({
      requestId: 'r',
      password: REDACTED,
      msg: 'for a***@example.com',
    });
  });

  it('leaves the logged object as it was', () => {
    const { log } = capture();
    const fields = { password: 'p', body: { token: 't' } };
    log.info(fields);
    expect(fields).toEqual({ password: 'p', body: { token: 't' } });
  });
});

describe('scrubLogLine', () => {
  it('is idempotent and keeps the line valid JSON', () => {
    const line = `${JSON.stringify({
      msg: 'ada@example.com Bearer x.y.z-123 whsec_abc',
      password: 'p"q\\r',
      t: JWT_LIKE,
    })}\n`;
    const once = scrubLogLine(line);
    expect(scrubLogLine(once)).toBe(once);
    expect(JSON.parse(once)).toEqual({
      msg: `a***@example.com Bearer ${REDACTED} whsec_${REDACTED}`,
      password: REDACTED,
      t: REDACTED,
    });
  });
});
