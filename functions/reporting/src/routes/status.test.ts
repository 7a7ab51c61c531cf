import { silentLogger } from '@shop/shared';
import { testDatabase, testVerifyToken } from '@shop/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.js';
import { reporting } from '../main.js';

let db: Awaited<ReturnType<typeof testDatabase>>;
beforeAll(async () => {
  db = await testDatabase();
  await reporting.applyMigrations(db.db);
});
afterAll(() => db.cleanup());

describe('GET /api/reporting/status', () => {
  it('answers with the service name and the time of its clock', async () => {
    const app = createApp({
      db: db.db,
      log: silentLogger(),
      clock: () => new Date('2026-01-01T00:00:00Z'),
      verifyToken: testVerifyToken,
    });
    const res = await app.request('/api/reporting/status');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ service: 'reporting', time: '2026-01-01T00:00:00.000Z' });
  });

  it('documents the route in /openapi.json', async () => {
    const app = createApp({ db: db.db, log: silentLogger(), verifyToken: testVerifyToken });
    const doc = (await (await app.request('/openapi.json')).json()) as { paths: object };
    expect(Object.keys(doc.paths)).toContain('/api/reporting/status');
  });
});
