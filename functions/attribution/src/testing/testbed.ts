// Test helpers of the attribution function: a migrated database (PGlite in npm test, a fresh
// PostgreSQL database in test:integration), the app on it, and deliveries as the broker and
// the KafkaSource make them.
import type { OpenAPIHono } from '@hono/zod-openapi';
import { eventCatalog } from '@shop/eventing';
import {
  createMetrics,
  type Database,
  functionAudience,
  type ServiceEnv,
  silentLogger,
} from '@shop/shared';
import {
  identityHeaders,
  testDatabase,
  testEventHeaders,
  testVerifyEventSender,
  testVerifyToken,
} from '@shop/shared/testing';
import { createApp } from '../app.js';
import { attribution } from '../main.js';
import { createRescoreRunner, type RescoreRunner } from '../rescore.js';
import type { ScoringSettings } from '../scoring.js';

export const AUDIENCE = functionAudience('attribution');

export const TEST_SETTINGS: ScoringSettings = {
  model: 'last_click',
  lookbackDays: 30,
  halfLifeDays: 7,
  maxTouches: 100,
};

export interface Testbed {
  db: Database;
  app: OpenAPIHono<ServiceEnv>;
  rescore: RescoreRunner;
  /** Delivers one event to /events as the broker would (a fresh CloudEvent id unless given). */
  deliver(
    type: keyof typeof eventCatalog & string,
    data: unknown,
    options?: { id?: string; source?: string; headers?: Record<string, string> },
  ): Promise<Response>;
  /** The outbox, oldest first. */
  outbox(): Promise<{ type: string; data: Record<string, unknown> }[]>;
  cleanup(): Promise<void>;
}

export async function createTestbed(
  options: { settings?: Partial<ScoringSettings>; clock?: () => Date } = {},
): Promise<Testbed> {
  const { db, cleanup } = await testDatabase();
  await attribution.applyMigrations(db);
  const log = silentLogger();
  const settings = { ...TEST_SETTINGS, ...options.settings };
  const clock = options.clock ?? (() => new Date());
  const rescore = createRescoreRunner({ db, log, settings, dataDrivenPeriodDays: 90, clock });
  const app = createApp({
    db,
    log,
    metrics: createMetrics({ service: 'attribution' }),
    settings,
    dataDrivenPeriodDays: 90,
    rescore,
    clock,
    verifyToken: testVerifyToken,
    verifyEventSender: testVerifyEventSender(AUDIENCE),
  });
  return {
    db,
    app,
    rescore,
    deliver(type, data, deliverOptions = {}) {
      const producer = eventCatalog[type]?.producer ?? 'unknown';
      return Promise.resolve(
        app.request('/events', {
          method: 'POST',
          headers: {
            ...testEventHeaders(AUDIENCE),
            'content-type': 'application/json',
            'ce-specversion': '1.0',
            'ce-id': deliverOptions.id ?? crypto.randomUUID(),
            'ce-source': deliverOptions.source ?? `/shop/${producer}`,
            'ce-type': type,
            ...deliverOptions.headers,
          },
          body: JSON.stringify(data),
        }),
      );
    },
    async outbox() {
      const { rows } = await db.query<{ type: string; data: Record<string, unknown> }>(
        'SELECT type, data FROM attribution.outbox ORDER BY id',
      );
      return rows;
    },
    async cleanup() {
      await rescore.idle();
      await cleanup();
    },
  };
}

/** The Authorization header of a staff member (test issuer). */
export const asStaff = (userId = 'staff-test') => identityHeaders({ userId, roles: ['staff'] });

/** A JSON request to the app as staff. */
export function sendAsStaff(
  app: OpenAPIHono<ServiceEnv>,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return Promise.resolve(
    app.request(path, {
      method,
      headers: {
        ...asStaff(),
        ...(body !== undefined && { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    }),
  );
}

const DAY_MS = 86_400_000;

/** Builders of the events of one purchase story, with fixed ids and times. */
export function story(purchasedAt = new Date('2026-11-20T12:00:00Z')) {
  const at = (daysBefore: number) =>
    new Date(purchasedAt.getTime() - daysBefore * DAY_MS).toISOString();
  return {
    purchasedAt,
    at,
    click(
      clickId: string,
      options: {
        daysBefore: number;
        affiliateId?: string | null;
        campaign?: string | null;
        bot?: boolean;
        linkId?: string;
      },
    ) {
      return {
        clickId,
        linkId: options.linkId ?? '0190a0a0-0000-7000-8000-000000000001',
        code: 'summer-sale',
        affiliateId: options.affiliateId === undefined ? 'aff-1' : options.affiliateId,
        campaign: options.campaign === undefined ? null : options.campaign,
        referrerHost: null,
        clickedAt: at(options.daysBefore),
        ...(options.bot !== undefined && { bot: options.bot }),
      };
    },
    page(options: {
      messageId: string;
      anonymousId: string | null;
      userId?: string | null;
      clickId?: string | null;
      utm?: string | null;
      daysBefore: number;
      receivedDaysBefore?: number;
    }) {
      return {
        messageId: options.messageId,
        sourceId: '0190a0a0-0000-7000-8000-0000000000aa',
        visitorKey: `src:${options.anonymousId ?? options.userId}`,
        anonymousId: options.anonymousId,
        userId: options.userId ?? null,
        context: {},
        clickId: options.clickId ?? null,
        campaign: options.utm
          ? { source: 'newsletter', medium: 'email', name: options.utm, term: null, content: null }
          : null,
        timestamp: at(options.daysBefore),
        originalTimestamp: null,
        sentAt: null,
        receivedAt: at(options.receivedDaysBefore ?? options.daysBefore),
        name: null,
        category: null,
        properties: {},
      };
    },
    identify(options: {
      messageId: string;
      anonymousId: string;
      userId: string;
      daysBefore: number;
    }) {
      return {
        messageId: options.messageId,
        sourceId: '0190a0a0-0000-7000-8000-0000000000aa',
        visitorKey: `src:${options.anonymousId}`,
        anonymousId: options.anonymousId,
        userId: options.userId,
        context: {},
        clickId: null,
        campaign: null,
        timestamp: at(options.daysBefore),
        originalTimestamp: null,
        sentAt: null,
        receivedAt: at(options.daysBefore),
        traits: {},
      };
    },
    order(
      orderId: string,
      options: {
        userId?: string | null;
        clickId?: string | null;
        amount: number;
        currency?: string;
      },
    ) {
      return {
        orderId,
        userId: options.userId ?? null,
        items: [
          {
            productId: '0190a0a0-0000-7000-8000-0000000000bb',
            slug: 'mug',
            name: 'Mug',
            quantity: 1,
            unitPrice: { amount: options.amount, currency: options.currency ?? 'EUR' },
          },
        ],
        total: { amount: options.amount, currency: options.currency ?? 'EUR' },
        clickId: options.clickId ?? null,
        createdAt: at(0.01),
      };
    },
    payment(orderId: string, paymentId: string, amount: number, currency = 'EUR') {
      return {
        paymentId,
        orderId,
        provider: 'stripe',
        providerPaymentId: `pi_${paymentId.slice(0, 8)}`,
        amount: { amount, currency },
        succeededAt: purchasedAt.toISOString(),
      };
    },
    refund(orderId: string, paymentId: string, refundId: string, amount: number, currency = 'EUR') {
      return {
        paymentId,
        orderId,
        provider: 'stripe',
        providerRefundId: refundId,
        amount: { amount, currency },
        refundedAt: new Date(purchasedAt.getTime() + DAY_MS).toISOString(),
      };
    },
  };
}
