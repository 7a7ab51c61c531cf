import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allReports } from '../testing/all-reports.js';
import { syntheticMonth } from '../testing/synthetic-month.js';
import { createTestbed, deliverAll, type Testbed } from '../testing/testbed.js';

let sequential: Testbed;
let concurrent: Testbed;
beforeAll(async () => {
  sequential = await createTestbed();
  concurrent = await createTestbed();
});
afterAll(async () => {
  await sequential.cleanup();
  await concurrent.cleanup();
});

describe('concurrent deliveries', () => {
  // On PostgreSQL (test:integration) these run on several connections at once: an order's
  // events serialise on its advisory lock, so no delta is computed from a stale contribution.
  it('give the same report bytes as one delivery after another, duplicates racing too', async () => {
    const month = syntheticMonth();
    await deliverAll(sequential, month);
    const results = await Promise.all(
      [...month, ...month].map((event) => concurrent.deliver(event).then((res) => res.status)),
    );
    // A duplicate racing its first copy waits for it (inbox row lock) and answers 204 too.
    expect(new Set(results)).toEqual(new Set([204]));
    expect(await allReports(concurrent)).toBe(await allReports(sequential));
  });
});
