// The redirect function as the kit runs it: `node dist/main.js` serves, `node dist/main.js
// migrate` is the migration job.
import {
  ConfigError,
  defineFunction,
  ensureTopics,
  type FunctionConfig,
  type KafkaClient,
  kafkaFor,
} from '@shop/shared';
import { z } from 'zod';
import { createApp } from './app.js';
import { type ClickRecorder, createClickRecorder } from './click-recorder.js';
import { type CountryLookup, loadCountryLookup } from './country-lookup.js';
import type { RedirectSettings } from './deps.js';
import { parseAllowedHosts } from './domain/validate-destination.js';
import { events } from './events.js';
import { createLinkCache, type LinkCache } from './link-cache.js';
import { createRedirectCounter } from './redirect-metrics.js';
import { createRepeatClicks, type RepeatClicks } from './repeat-clicks.js';
import { seedLinks } from './seed.js';

export { createApp, type RedirectAppDeps } from './app.js';
export { type Click, type ClickRecorder, createClickRecorder } from './click-recorder.js';
export { countryLookupFrom } from './country-lookup.js';
export { parseAllowedHosts, validateDestination } from './domain/validate-destination.js';
export { events } from './events.js';
export { createLinkCache } from './link-cache.js';
export { createRepeatClicks } from './repeat-clicks.js';
export { seedLinks } from './seed.js';

const DEV_SECRET = 'dev-only-redirect-secret-not-for-production-use';
const DEV_ORIGIN = /^http:\/\/localhost:\d{2,5}$/;
const positiveInt = z.coerce.number().int().min(1);

const configShape = {
  /** The shop's own hosts a link may send visitors to: `host` or `*.host`, comma-separated. */
  REDIRECT_ALLOWED_HOSTS: z
    .string()
    .default('shop.example,*.shop.example')
    .superRefine((value, ctx) => {
      try {
        if (parseAllowedHosts(value).length === 0)
          ctx.addIssue({ code: 'custom', message: 'name at least one host' });
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
      }
    }),
  /**
   * Dev only (refused with DATABASE_URL): exact `http://localhost:<port>` origins links may use,
   * for the sites `npm run dev` serves without TLS; default the landing site and the storefront.
   */
  REDIRECT_DEV_HTTP_ORIGINS: z.string().optional(),
  /** Where the demo links point (default the landing site of `npm run dev`). */
  REDIRECT_DEMO_LANDING_URL: z.string().default('http://localhost:4322'),
  /** HMAC key of the visitor hashes (rotated daily) and the signed cookies; required with DATABASE_URL. */
  REDIRECT_SECRET: z.string().min(32).optional(),
  /** The query parameter the click id travels in to the destination. */
  CLICK_ID_PARAM: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,39}$/)
    .default('shop_click'),
  /** Kafka topic of the analytics events (clicks here, page views from analytics-ingest). */
  ANALYTICS_TOPIC: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,249}$/)
    .default('shop-analytics'),
  CLICK_BATCH_SIZE: positiveInt.max(5_000).default(500),
  /** Milliseconds clicks wait to be sent together (Kafka's linger). */
  CLICK_LINGER_MS: positiveInt.max(10_000).default(100),
  /** Clicks held while Kafka is slow or away; more are dropped and counted. */
  CLICK_BUFFER_MAX: positiveInt.max(1_000_000).default(10_000),
  /** Seconds within which a visitor's repeat click reuses the click id and is not counted. */
  CLICK_REPEAT_WINDOW_SECONDS: positiveInt.default(3_600),
  /** Milliseconds an LRU entry is trusted while the generation in Redis cannot be read. */
  LINK_CACHE_TTL_MS: positiveInt.max(60_000).default(1_000),
  LINK_CACHE_MAX: positiveInt.default(10_000),
  /** Hard timeout of each Redis read on the hot path; then PostgreSQL answers. */
  REDIS_TIMEOUT_MS: positiveInt.max(1_000).default(25),
  /** Seconds the unlock cookie of a password-protected link is valid. */
  LINK_UNLOCK_SECONDS: positiveInt.max(86_400).default(900),
};

type ParsedConfig = FunctionConfig<typeof configShape>;

/** The redirect function's config: the parsed environment and what the routes read. */
export type RedirectConfig = ParsedConfig & { settings: RedirectSettings };

/** What redirect builds at start; tests may replace any of it. */
export interface RedirectServices {
  kafka: KafkaClient;
  clicks: ClickRecorder;
  links: LinkCache;
  repeats: RepeatClicks;
  country: CountryLookup;
  clock?: () => Date;
}

function resolveConfig(config: ParsedConfig): RedirectConfig {
  const problems: { variable: string; message: string }[] = [];
  if (config.DATABASE_URL && !config.REDIRECT_SECRET) {
    problems.push({
      variable: 'REDIRECT_SECRET',
      message: 'must be set with DATABASE_URL (at least 32 random characters, kept in a secret)',
    });
  }
  const devOrigins = (
    config.REDIRECT_DEV_HTTP_ORIGINS ??
    (config.DATABASE_URL ? '' : 'http://localhost:4322,http://localhost:4321')
  )
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  if (devOrigins.length > 0 && config.DATABASE_URL) {
    problems.push({
      variable: 'REDIRECT_DEV_HTTP_ORIGINS',
      message: 'is for the embedded database only: with DATABASE_URL every link is https',
    });
  }
  for (const origin of devOrigins) {
    if (!DEV_ORIGIN.test(origin)) {
      problems.push({
        variable: 'REDIRECT_DEV_HTTP_ORIGINS',
        message: `${origin} is not http://localhost:<port>`,
      });
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    ...config,
    settings: {
      destinationPolicy: {
        hosts: parseAllowedHosts(config.REDIRECT_ALLOWED_HOSTS),
        devHttpOrigins: devOrigins,
      },
      clickIdParam: config.CLICK_ID_PARAM,
      secret: config.REDIRECT_SECRET ?? DEV_SECRET,
      unlockSeconds: config.LINK_UNLOCK_SECONDS,
    },
  };
}

/**
 * Tracked links: PostgreSQL schema `redirect`, links cached in Redis (REDIS_URL) and in
 * process, clicks to Kafka (KAFKA_BROKERS, else the in-memory log), port 8085. On the embedded
 * database it seeds demo links such as /r/summer-sale.
 * @example const running = await redirect.start({ port: 0, handleSignals: false }); await running.shutdown();
 */
export const redirect = defineFunction({
  name: 'redirect',
  port: 8085,
  config: configShape,
  resolveConfig,
  database: { migrations: new URL('../migrations/', import.meta.url) },
  keyValue: true,
  events,
  seed: ({ db, config }) => seedLinks(db, config.REDIRECT_DEMO_LANDING_URL),
  async services({ db, kv, log, lifecycle, metrics, config }): Promise<RedirectServices> {
    const kafka = kafkaFor({ brokers: config.KAFKA_BROKERS, clientId: 'redirect', log });
    // Provisioned with the cluster in production; created here for dev and tests.
    await ensureTopics(kafka, [config.ANALYTICS_TOPIC], log);
    const producer = kafka.producer({ idempotent: true });
    const counter = createRedirectCounter(metrics);
    const clicks = createClickRecorder({
      producer,
      topic: config.ANALYTICS_TOPIC,
      db,
      log,
      batchSize: config.CLICK_BATCH_SIZE,
      lingerMs: config.CLICK_LINGER_MS,
      maxBuffered: config.CLICK_BUFFER_MAX,
      onDropped: (count) => counter('click_dropped', count),
    });
    // Hooks run in reverse: the clicks are sent before Kafka closes, and both before the
    // database (registered earlier by the kit) closes, as the daily counts go there.
    lifecycle.onShutdown('kafka', () => kafka.close());
    lifecycle.onShutdown('clicks', () =>
      clicks.close(Math.max(1_000, config.SHUTDOWN_TIMEOUT_MS / 2)),
    );
    // The IP database takes about a second to read: until then clicks have no country.
    let lookup: CountryLookup = () => null;
    loadCountryLookup()
      .then((loaded) => {
        lookup = loaded;
      })
      .catch((error: unknown) =>
        log.error({ err: error }, 'the IP-to-country database could not be read'),
      );
    const links = createLinkCache({
      db,
      kv,
      log,
      ttlMs: config.LINK_CACHE_TTL_MS,
      max: config.LINK_CACHE_MAX,
      redisTimeoutMs: config.REDIS_TIMEOUT_MS,
    });
    lifecycle.onShutdown('link-cache', () => links.close());
    return {
      kafka,
      clicks,
      links,
      repeats: createRepeatClicks({
        kv,
        log,
        windowSeconds: config.CLICK_REPEAT_WINDOW_SECONDS,
        redisTimeoutMs: config.REDIS_TIMEOUT_MS,
      }),
      country: (ip) => lookup(ip),
    };
  },
  createApp: (deps) => createApp({ ...deps, settings: deps.config.settings }),
});

/** A started redirect function. */
export type RunningRedirect = Awaited<ReturnType<typeof redirect.start>>;

redirect.runIfEntryPoint(import.meta.url);
