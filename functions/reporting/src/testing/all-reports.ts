// Every report of March 2026, JSON and CSV, as the bytes staff download: what replays and
// concurrent deliveries must reproduce exactly.
import { silentLogger } from '@shop/shared';
import { testVerifyToken } from '@shop/shared/testing';
import { expect } from 'vitest';
import { createApp } from '../app.js';
import { asStaff, type Testbed } from './testbed.js';

const REPORTS = [
  'sales?interval=day&zone=Europe/Berlin',
  'sales?interval=week&zone=UTC',
  'sales?interval=month&zone=America/New_York',
  'conversion?interval=day&zone=Europe/Berlin',
  'top-products?zone=Europe/Berlin',
  'affiliates?zone=Europe/Berlin',
  'clicks?zone=UTC',
  'funnel?zone=Europe/Berlin',
  'experiments?zone=Europe/Berlin',
];

/** Every report of March as the bytes staff download, JSON and CSV. */
export async function allReports(bed: Pick<Testbed, 'db'>): Promise<string> {
  const app = createApp({
    db: bed.db as Testbed['db'],
    log: silentLogger(),
    verifyToken: testVerifyToken,
  });
  const parts: string[] = [];
  for (const report of REPORTS) {
    for (const accept of ['application/json', 'text/csv']) {
      const res = await app.request(`/api/admin/reports/${report}&from=2026-03-01&to=2026-03-31`, {
        headers: { ...asStaff(), accept },
      });
      expect(res.status, report).toBe(200);
      parts.push(`${report} ${accept}\n${await res.text()}`);
    }
  }
  return parts.join('\n');
}
