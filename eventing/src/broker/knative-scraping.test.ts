// The shop's own manifests (knative/) let Prometheus scrape every function's /metrics and no one
// else read it: each Knative Service has a PodMonitor on the port serving its /metrics (its
// OPS_PORT when it has one), and Istio's policies, evaluated as Istio does (DENY before ALLOW, a
// workload with ALLOW policies refuses what none matches), let only Prometheus's identity get
// /metrics, while Knative's autoscaler keeps queue-proxy's metrics port.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

const knative = fileURLToPath(new URL('../../../knative/', import.meta.url));
const PROMETHEUS = 'cluster.local/ns/monitoring/sa/prometheus';

interface Resource {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    annotations?: Record<string, string>;
    labels?: Record<string, string>;
  };
  spec: Record<string, unknown>;
}

function resourcesIn(dir: string, files?: string[]): Resource[] {
  const names = files ?? readdirSync(join(knative, dir)).filter((f) => f.endsWith('.yaml'));
  return names
    .filter((f) => f !== 'kustomization.yaml')
    .flatMap((f) =>
      parseAllDocuments(readFileSync(join(knative, dir, f), 'utf8')).map(
        (d) => d.toJS() as Resource,
      ),
    );
}

/** The resources a folder's kustomization lists. */
function kustomized(dir: string): string[] {
  const text = readFileSync(join(knative, dir, 'kustomization.yaml'), 'utf8');
  return (
    (parseAllDocuments(text)[0]?.toJS() as { resources?: string[] } | undefined)?.resources ?? []
  );
}

interface KnativeService extends Resource {
  spec: {
    template: {
      metadata?: { annotations?: Record<string, string> };
      spec: {
        containers: {
          ports?: { containerPort: number }[];
          env?: { name: string; value?: string }[];
        }[];
      };
    };
  };
}

const services = resourcesIn('services').filter(
  (r): r is KnativeService => r.kind === 'Service' && r.apiVersion.startsWith('serving'),
);

/** The port a Service's pods serve /metrics on: OPS_PORT when set, else the serving port. */
function metricsPort(service: KnativeService): number {
  const container = service.spec.template.spec.containers[0]!;
  const ops = container.env?.find((e) => e.name === 'OPS_PORT')?.value;
  return ops ? Number(ops) : (container.ports?.[0]?.containerPort ?? 8080);
}

interface PodMetricsEndpoint {
  port: string;
  path: string;
  scheme: string;
  tlsConfig?: { caFile?: string; certFile?: string; keyFile?: string };
  relabelings?: { sourceLabels?: string[]; targetLabel?: string; replacement?: string }[];
}
interface PodMonitor extends Resource {
  spec: {
    namespaceSelector: { matchNames: string[] };
    selector: { matchExpressions: { key: string; operator: string; values: string[] }[] };
    podMetricsEndpoints: PodMetricsEndpoint[];
  };
}

/** The address a PodMonitor endpoint scrapes on a pod whose serving port is `servingPort`. */
function scrapedPort(endpoint: PodMetricsEndpoint, servingPort: number): number {
  const rewrite = endpoint.relabelings?.find((r) => r.targetLabel === '__address__');
  if (!rewrite) return servingPort;
  expect(rewrite.sourceLabels).toEqual(['__meta_kubernetes_pod_ip']);
  return Number(rewrite.replacement?.split(':')[1]);
}

// --- Istio authorization, as https://istio.io/latest/docs/concepts/security/#authorization-policies says
interface Source {
  principals?: string[];
  notPrincipals?: string[];
  namespaces?: string[];
  notNamespaces?: string[];
}
interface Operation {
  methods?: string[];
  paths?: string[];
  notPaths?: string[];
  ports?: string[];
  notPorts?: string[];
}
interface Policy extends Resource {
  spec: {
    selector?: { matchLabels: Record<string, string> };
    action?: 'ALLOW' | 'DENY';
    rules?: { from?: { source: Source }[]; to?: { operation: Operation }[] }[];
  };
}
interface Request {
  principal: string;
  port: number;
  method: string;
  path: string;
}

const namespaceOf = (principal: string) => principal.split('/')[2];
const matchesPath = (pattern: string, path: string) =>
  pattern.endsWith('*')
    ? path.startsWith(pattern.slice(0, -1))
    : pattern.startsWith('*')
      ? path.endsWith(pattern.slice(1))
      : pattern === path;

function sourceMatches(source: Source, request: Request): boolean {
  const ns = namespaceOf(request.principal) ?? '';
  if (source.principals && !source.principals.includes(request.principal)) return false;
  if (source.notPrincipals?.includes(request.principal)) return false;
  if (source.namespaces && !source.namespaces.includes(ns)) return false;
  if (source.notNamespaces?.includes(ns)) return false;
  return true;
}

function operationMatches(operation: Operation, request: Request): boolean {
  const port = String(request.port);
  if (operation.methods && !operation.methods.includes(request.method)) return false;
  if (operation.paths && !operation.paths.some((p) => matchesPath(p, request.path))) return false;
  if (operation.notPaths?.some((p) => matchesPath(p, request.path))) return false;
  if (operation.ports && !operation.ports.includes(port)) return false;
  if (operation.notPorts?.includes(port)) return false;
  return true;
}

function ruleMatches(rule: NonNullable<Policy['spec']['rules']>[number], request: Request) {
  const from = !rule.from || rule.from.some((f) => sourceMatches(f.source, request));
  const to = !rule.to || rule.to.some((t) => operationMatches(t.operation, request));
  return from && to;
}

const policies = resourcesIn('istio', kustomized('istio')).filter(
  (r): r is Policy => r.kind === 'AuthorizationPolicy',
);

/** Whether Istio lets `request` reach a pod of the Knative Service `service`. */
function allowed(service: string, request: Request): boolean {
  const labels: Record<string, string> = {
    'serving.knative.dev/service': service,
    'app.kubernetes.io/part-of': 'shop',
  };
  const applies = (p: Policy) =>
    p.metadata.namespace === 'shop' &&
    Object.entries(p.spec.selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const relevant = policies.filter(applies);
  const matches = (p: Policy) => (p.spec.rules ?? []).some((r) => ruleMatches(r, request));
  if (relevant.some((p) => p.spec.action === 'DENY' && matches(p))) return false;
  const allows = relevant.filter((p) => (p.spec.action ?? 'ALLOW') === 'ALLOW');
  return allows.length === 0 || allows.some(matches);
}

describe('knative/ scrapes every function and serves /metrics to Prometheus only', () => {
  const monitors = resourcesIn('observability', ['pod-monitors.yaml']).filter(
    (r): r is PodMonitor => r.kind === 'PodMonitor',
  );

  it('deploys the PodMonitors and the metrics policies with everything else', () => {
    expect(kustomized('observability')).toContain('pod-monitors.yaml');
    expect(kustomized('istio')).toContain('metrics-policy.yaml');
    expect(kustomized('.')).toEqual(expect.arrayContaining(['istio', 'observability']));
  });

  it.each(services.map((s) => [s.metadata.name, s] as const))(
    'scrapes %s on the port serving its /metrics, with Prometheus’s Istio certificate',
    (name, service) => {
      const scraping = monitors.filter((m) =>
        m.spec.selector.matchExpressions.some(
          (e) =>
            e.key === 'serving.knative.dev/service' &&
            e.operator === 'In' &&
            e.values.includes(name),
        ),
      );
      expect(scraping, `one PodMonitor selects ${name}`).toHaveLength(1);
      const monitor = scraping[0]!;
      expect(monitor.spec.namespaceSelector.matchNames).toEqual([service.metadata.namespace]);
      expect(monitor.spec.podMetricsEndpoints).toHaveLength(1);
      const endpoint = monitor.spec.podMetricsEndpoints[0]!;
      // Knative names the serving port of the user container `user-port`.
      expect(endpoint.port).toBe('user-port');
      expect(endpoint.path).toBe('/metrics');
      expect(endpoint.scheme).toBe('https');
      expect(endpoint.tlsConfig).toMatchObject({
        caFile: expect.stringMatching(/root-cert\.pem$/),
        certFile: expect.stringMatching(/cert-chain\.pem$/),
        keyFile: expect.stringMatching(/key\.pem$/),
      });
      const serving = service.spec.template.spec.containers[0]?.ports?.[0]?.containerPort ?? 8080;
      expect(scrapedPort(endpoint, serving)).toBe(metricsPort(service));
    },
  );

  it.each(services.map((s) => [s.metadata.name, s] as const))(
    'lets only Prometheus read /metrics of %s, on any port, and keeps its other routes as they were',
    (name, service) => {
      const port = metricsPort(service);
      const get = (principal: string, path = '/metrics', at = port) =>
        allowed(name, { principal, port: at, method: 'GET', path });
      expect(get(PROMETHEUS)).toBe(true);
      for (const other of [
        'cluster.local/ns/shop/sa/api-gateway',
        'cluster.local/ns/knative-eventing/sa/knative-kafka-broker-data-plane',
        'cluster.local/ns/knative-serving/sa/controller',
        'cluster.local/ns/knative-serving/sa/activator',
        'cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account',
        'cluster.local/ns/shop/sa/cart',
        'cluster.local/ns/monitoring/sa/grafana',
      ]) {
        for (const at of [port, 8012, 8080, 9080]) {
          for (const path of ['/metrics', '/metrics/', '/metrics?format=x']) {
            expect(get(other, path, at), `${other} GET ${path} on :${at}`).toBe(false);
          }
        }
      }
      // Knative's autoscaler still reads queue-proxy's own metrics port.
      expect(get('cluster.local/ns/knative-serving/sa/controller', '/metrics', 9090)).toBe(true);
      // Prometheus gets nothing but /metrics; the gateway keeps reaching the routes.
      expect(get(PROMETHEUS, '/api/cart', 8012)).toBe(false);
      expect(get('cluster.local/ns/shop/sa/api-gateway', '/api/offers', 8012)).toBe(true);
    },
  );

  it('serves no function’s metrics through Istio’s merged endpoint (:15020 is past the policies)', () => {
    for (const service of services) {
      const annotations = service.spec.template.metadata?.annotations ?? {};
      const declaresScrape = Object.keys(annotations).some((k) => k.startsWith('prometheus.io/'));
      expect(
        !declaresScrape || annotations['prometheus.istio.io/merge-metrics'] === 'false',
        `${service.metadata.name} has prometheus.io annotations with metrics merging on`,
      ).toBe(true);
    }
  });
});
