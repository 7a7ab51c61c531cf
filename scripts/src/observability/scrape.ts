// How Prometheus in the cluster scrapes every function's /metrics: PodMonitors (prometheus-operator)
// for the pods of the shop's Knative Services. Under Istio's STRICT mTLS, Prometheus scrapes with
// its own workload certificate (Istio's "Prometheus with Istio certificates" setup: a sidecar
// that writes the certificates and intercepts nothing), so each function's sidecar sees the
// caller `cluster.local/ns/monitoring/sa/prometheus`, which knative/istio's
// metrics-only-from-prometheus policy is the only one allowed to read `/metrics`.
import type { YamlValue } from './yaml.js';

/** Namespace of Prometheus and its service account: the identity allowed to read /metrics. */
export const PROMETHEUS_NAMESPACE = 'monitoring';
export const PROMETHEUS_SERVICE_ACCOUNT = 'prometheus';
/** Istio's SPIFFE principal of Prometheus, as AuthorizationPolicies name it. */
export const PROMETHEUS_PRINCIPAL = `cluster.local/ns/${PROMETHEUS_NAMESPACE}/sa/${PROMETHEUS_SERVICE_ACCOUNT}`;

/** Where Istio's sidecar of the Prometheus pod writes its workload certificate. */
const CERTS = '/etc/prom-certs';
/** The name Knative gives the serving port of a Service's user container. */
export const KNATIVE_USER_PORT = 'user-port';

/** A function as Prometheus reaches it: its Knative Service and the port of its /metrics. */
export interface ScrapeTarget {
  service: string;
  /** Port serving /metrics when not the serving port (`OPS_PORT` of a public function). */
  opsPort?: number;
}

function endpoint(relabelings: YamlValue[] = []): YamlValue {
  return {
    port: KNATIVE_USER_PORT,
    path: '/metrics',
    interval: '30s',
    scheme: 'https',
    // Istio's workload certificates: the sidecar checks the client's, not its SAN's DNS name.
    tlsConfig: {
      caFile: `${CERTS}/root-cert.pem`,
      certFile: `${CERTS}/cert-chain.pem`,
      keyFile: `${CERTS}/key.pem`,
      insecureSkipVerify: true,
    },
    // Every series carries `service` from the kit; the scrape adds `namespace` (and the target's
    // own `instance`, `pod`, `container`, `endpoint`), nothing more.
    ...(relabelings.length > 0 && { relabelings }),
  };
}

function podMonitor(name: string, services: string[], endpoints: YamlValue[]): YamlValue {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PodMonitor',
    metadata: {
      name,
      namespace: 'shop',
      labels: { 'app.kubernetes.io/part-of': 'shop' },
    },
    spec: {
      namespaceSelector: { matchNames: ['shop'] },
      selector: {
        matchExpressions: [
          { key: 'serving.knative.dev/service', operator: 'In', values: services },
        ],
      },
      podMetricsEndpoints: endpoints,
    },
  };
}

/**
 * The PodMonitors of every function: one for those serving /metrics on their serving port, one
 * per function with an ops port (the pod declares only the serving port, so the address is
 * rewritten to the pod's IP and the ops port).
 * @example podMonitors([{ service: 'offer' }, { service: 'api-gateway', opsPort: 9080 }])
 */
export function podMonitors(targets: readonly ScrapeTarget[]): YamlValue[] {
  const onServingPort = targets.filter((t) => t.opsPort === undefined).map((t) => t.service);
  const monitors: YamlValue[] = [];
  if (onServingPort.length > 0) {
    monitors.push(podMonitor('shop-functions', [...onServingPort].sort(), [endpoint()]));
  }
  for (const target of targets.filter((t) => t.opsPort !== undefined)) {
    monitors.push(
      podMonitor(
        `shop-${target.service}-ops`,
        [target.service],
        [
          endpoint([
            {
              sourceLabels: ['__meta_kubernetes_pod_ip'],
              targetLabel: '__address__',
              replacement: `$1:${target.opsPort}`,
            },
          ]),
        ],
      ),
    );
  }
  return monitors;
}
