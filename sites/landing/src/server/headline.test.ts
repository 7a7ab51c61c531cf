// The headline variant decided by a real feature-flag function started in process with its demo
// flags (the landing-headline A/B test), read through the kit's OpenFeature client over OFREP —
// the same path the page takes through the gateway.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { featureFlag } from '@shop/feature-flag';
import { createFlagClient, silentLogger } from '@shop/shared';
import { identityHeaders, testDatabase, testKeyValue, testVerifyToken } from '@shop/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseHeadline, type FlagClient, isFlagOn, visitContext } from './headline.js';

const CAMPAIGN = {
  campaignId: 'summer-sale',
  headlineFlag: 'landing-headline',
  defaultVariant: 'a',
  headlines: { a: 'Summer starts here', b: 'Your summer, delivered tomorrow' },
};
const STAFF = identityHeaders({ userId: 'staff-1', roles: ['staff'] });

type Running = Awaited<ReturnType<typeof featureFlag.start>>;
let flagsFn: Running;
let flags: FlagClient;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  const db = await testDatabase();
  const kv = testKeyValue();
  cleanups.push(kv.cleanup, db.cleanup);
  flagsFn = await featureFlag.start({
    env: { SEED_DEMO_DATA: 'true', RUN_MIGRATIONS: 'true', FLAG_POLL_MS: '50' },
    db: db.db,
    kv: kv.kv,
    port: 0,
    log: silentLogger(),
    handleSignals: false,
    verifyToken: testVerifyToken,
  });
  flags = await createFlagClient({ baseUrl: flagsFn.url, domain: 'landing-test' });
});

afterAll(async () => {
  await flagsFn?.shutdown();
  for (const cleanup of cleanups) await cleanup();
});

const visitor = (n: number) => `0190f3a2-7b1c-4d4e-8f00-${String(n).padStart(12, '0')}`;

describe('chooseHeadline', () => {
  it("keeps each visitor in one variant of the flag's split, both variants in use", async () => {
    const seen = new Map<string, number>();
    for (let n = 0; n < 200; n++) {
      const context = visitContext(visitor(n), 'summer-sale', 'en');
      const first = await chooseHeadline(flags, CAMPAIGN, context);
      const again = await chooseHeadline(flags, CAMPAIGN, context);
      expect(again).toEqual(first);
      expect(first.decided).toBe(true);
      expect(first.text).toBe(CAMPAIGN.headlines[first.variant as 'a' | 'b']);
      seen.set(first.variant, (seen.get(first.variant) ?? 0) + 1);
    }
    // 50/50 over 200 visitors: each side well away from empty.
    expect(seen.get('a')).toBeGreaterThan(60);
    expect(seen.get('b')).toBeGreaterThan(60);
  });

  it('shows the German text of the same variant', async () => {
    const german = { a: 'Hier beginnt der Sommer', b: 'Dein Sommer, morgen geliefert' };
    for (let n = 10; n < 20; n++) {
      const english = await chooseHeadline(
        flags,
        CAMPAIGN,
        visitContext(visitor(n), 'summer-sale', 'en'),
      );
      const inGerman = await chooseHeadline(
        flags,
        { ...CAMPAIGN, headlines: german },
        visitContext(visitor(n), 'summer-sale', 'de'),
      );
      expect(inGerman.variant).toBe(english.variant);
      expect(inGerman.text).toBe(german[english.variant as 'a' | 'b']);
    }
  });

  it('shows the default variant for a variant the campaign does not list, or no flag', async () => {
    const context = visitContext(visitor(1), 'summer-sale', 'en');
    const onlyC = { ...CAMPAIGN, defaultVariant: 'c', headlines: { c: 'Only this' } };
    expect(await chooseHeadline(flags, onlyC, context)).toEqual({
      variant: 'c',
      text: 'Only this',
      decided: false,
      fallbackReason: 'UNKNOWN_VARIANT',
    });
    const missing = { ...CAMPAIGN, headlineFlag: 'no-such-flag' };
    expect(await chooseHeadline(flags, missing, context)).toMatchObject({
      variant: 'a',
      decided: false,
      fallbackReason: 'FLAG_NOT_FOUND',
    });
    expect(await chooseHeadline(undefined, CAMPAIGN, context)).toMatchObject({ variant: 'a' });
  });

  it('shows the default variant at once when feature-flag is down or hangs', async () => {
    const hanging: Server = createServer(() => {
      // never answers
    });
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const port = (hanging.address() as AddressInfo).port;
    try {
      const slow = await createFlagClient({
        baseUrl: `http://127.0.0.1:${port}`,
        domain: 'landing-hanging',
        timeoutMs: 200,
      });
      const started = Date.now();
      const context = visitContext(visitor(2), 'summer-sale', 'en');
      expect(await chooseHeadline(slow, CAMPAIGN, context)).toMatchObject({
        variant: 'a',
        decided: false,
      });
      expect(Date.now() - started).toBeLessThan(2_000);
      const down = await createFlagClient({
        baseUrl: 'http://127.0.0.1:9',
        domain: 'landing-down',
      });
      expect(await chooseHeadline(down, CAMPAIGN, context)).toMatchObject({ variant: 'a' });
      expect(await isFlagOn(down, 'landing-promo-banner', context)).toBe(false);
    } finally {
      hanging.closeAllConnections();
      await new Promise((resolve) => hanging.close(resolve));
    }
  });
});

describe('isFlagOn', () => {
  it('follows the promo banner flag when staff toggle it', async () => {
    const context = visitContext(visitor(3), 'summer-sale', 'en');
    expect(await isFlagOn(flags, 'landing-promo-banner', context)).toBe(true);
    const toggle = (enabled: boolean) =>
      fetch(`${flagsFn.url}/api/admin/flags/landing-promo-banner/toggle`, {
        method: 'POST',
        headers: { ...STAFF, 'content-type': 'application/json' },
        body: JSON.stringify({ enabled }),
      });
    expect((await toggle(false)).status).toBe(200);
    try {
      // The writer reloads before it answers: the next evaluation sees the change.
      expect(await isFlagOn(flags, 'landing-promo-banner', context)).toBe(false);
    } finally {
      expect((await toggle(true)).status).toBe(200);
    }
    expect(await isFlagOn(flags, 'landing-promo-banner', context)).toBe(true);
  });
});
