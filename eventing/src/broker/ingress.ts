// POST /:namespace/:broker — the broker ingress (Knative Kafka broker's receiver)
import { SpanKind } from '@opentelemetry/api';
import {
  createMetrics,
  createServiceApp,
  inSpan,
  type Lifecycle,
  type Logger,
  Problem,
  type ReadinessCheck,
  type ServiceMetrics,
} from '@shop/shared';
import { type BrokerEvent, InvalidEventError, parseHttpEvent } from './cloudevent.js';
import { type BrokerMetrics, createBrokerMetrics } from './metrics.js';
import { DISCOVERY_PATH, JWKS_PATH, type OidcIssuer } from './oidc.js';

/** Largest event accepted, as the receiver's producer `max.request.size` (1 MiB). */
export const MAX_EVENT_BYTES = 1024 * 1024;

export interface BrokerAppDeps {
  /** The brokers the ingress serves, keyed `<namespace>/<name>`. */
  brokers: ReadonlySet<string>;
  /** Appends the event to the broker's topic; resolves once the write is durable. */
  write(broker: string, event: BrokerEvent): Promise<void>;
  log: Logger;
  metrics?: ServiceMetrics;
  brokerMetrics?: BrokerMetrics;
  lifecycle?: Lifecycle;
  readiness?: Record<string, ReadinessCheck>;
  /**
   * With `authentication-oidc`: checks the sender of a request to a broker before the event is
   * read (the receiver's AuthHandler); throws a Problem: 401 no or bad token, 403 not allowed.
   */
  authenticate?: (broker: string, request: Request) => Promise<void>;
  /** The OIDC issuer whose discovery document and keys this server publishes (dev only). */
  oidc?: () => OidcIssuer | undefined;
}

/**
 * The broker's HTTP app: the ingress of every broker at `/<namespace>/<name>` plus `/healthz`,
 * `/readyz` and `/metrics`. Answers 202 once the event is durably written, 400 when the body is
 * not a CloudEvent (binary or structured mode), 404 for an unknown broker, 405 for methods other
 * than POST, 503 when the write fails.
 * @example const app = createBrokerApp({ brokers: new Set(['shop/default']), write, log });
 */
export function createBrokerApp(deps: BrokerAppDeps) {
  const metrics = deps.metrics ?? createMetrics({ service: 'broker' });
  const brokerMetrics = deps.brokerMetrics ?? createBrokerMetrics(metrics);
  const app = createServiceApp({
    service: 'broker',
    log: deps.log,
    metrics,
    maxBodyBytes: MAX_EVENT_BYTES,
    // Senders are not users: no access tokens here (sender identity is checked on its own).
    verifyToken: null,
    ...(deps.lifecycle ? { lifecycle: deps.lifecycle } : {}),
    ...(deps.readiness ? { readiness: deps.readiness } : {}),
  });

  const counter = (namespace: string, broker: string) => (code: number) =>
    brokerMetrics.ingress.inc({ namespace, broker, http_response_status_code: String(code) });

  // The dev OIDC issuer, at the paths a Kubernetes API server serves them.
  if (deps.oidc) {
    const issuer = deps.oidc;
    const published = (
      c: { json: (value: unknown) => Response },
      pick: (o: OidcIssuer) => unknown,
    ) => {
      const oidc = issuer();
      if (!oidc) throw new Problem(503, 'The OIDC issuer is starting.');
      return c.json(pick(oidc));
    };
    app.get(DISCOVERY_PATH, (c) => published(c, (o) => o.discovery()));
    app.get(JWKS_PATH, (c) => published(c, (o) => o.jwks));
  }

  // As the receiver's MethodNotAllowedHandler, the method is checked before the broker exists.
  app.on(['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'], '/:namespace/:broker', (c) => {
    counter(c.req.param('namespace'), c.req.param('broker'))(405);
    throw new Problem(405, 'Only POST is allowed on a broker ingress.', {}, { allow: 'POST' });
  });

  app.post('/:namespace/:broker', async (c) => {
    const { namespace, broker } = c.req.param();
    const count = counter(namespace, broker);
    const key = `${namespace}/${broker}`;
    if (!deps.brokers.has(key)) {
      count(404);
      throw new Problem(404, `No broker ${key}.`);
    }
    if (deps.authenticate) {
      try {
        await deps.authenticate(key, c.req.raw);
      } catch (error) {
        if (error instanceof Problem) {
          count(error.status);
          c.get('log').warn(
            { broker: key, status: error.status, detail: error.detail },
            'event sender refused',
          );
        }
        throw error;
      }
    }
    let event: BrokerEvent;
    try {
      const body = Buffer.from(await c.req.arrayBuffer());
      event = parseHttpEvent(c.req.raw.headers, body);
    } catch (error) {
      if (!(error instanceof InvalidEventError)) throw error;
      count(400);
      throw new Problem(400, `The request is not a valid CloudEvent: ${error.message}`, {
        type: 'https://shop.example/problems/invalid-event',
        title: 'Invalid CloudEvent',
      });
    }
    try {
      // The broker's own span: the write to its topic, a child of the sender's POST.
      await inSpan(
        `ingress ${key}`,
        {
          kind: SpanKind.PRODUCER,
          attributes: {
            'messaging.system': 'kafka',
            'messaging.operation.type': 'send',
            'messaging.destination.name': key,
            'messaging.message.id': event.attributes.id ?? '',
            'cloudevents.event_id': event.attributes.id ?? '',
            'cloudevents.event_type': event.attributes.type ?? '',
          },
        },
        () => deps.write(key, event),
      );
    } catch (error) {
      c.get('log').error({ err: error, broker: key, id: event.attributes.id }, 'event not written');
      count(503);
      throw new Problem(503, 'The event could not be stored; try again.');
    }
    count(202);
    return c.body(null, 202);
  });
  return app;
}
