// The shop's manifests (knative/) trace every request and event in the cluster (issue 11 point 1):
// each Knative Service starts its function with the tracing preload (the same command as the
// package's `start` script) and exports OTLP to the cluster's collector at the agreed sample rate,
// the public gateway not obeying callers' sampled flags; Knative's own data plane (Serving and
// Eventing) exports to the same collector at the same rate; the collector takes what they send
// (OTLP, and Zipkin for Knative before 1.18) and passes it on to Tempo.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const knative = join(root, 'knative');
const tracingDir = join(knative, 'observability', 'tracing');
const PRELOAD = '@shop/shared/telemetry/preload';
const START_COMMAND = ['node', '--import', PRELOAD, 'dist/main.js'];
const SAMPLE_RATE = '0.1';

interface Resource {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}

interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value?: string }[];
  ports?: { name?: string; containerPort: number }[];
}

interface KnativeService extends Resource {
  spec: { template: { spec: { containers: Container[] } } };
}

function documentsOf(file: string): Resource[] {
  return parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as Resource);
}

const services = readdirSync(join(knative, 'services'))
  .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
  .flatMap((f) => documentsOf(join(knative, 'services', f)))
  .filter(
    (r): r is KnativeService => r.kind === 'Service' && r.apiVersion.startsWith('serving.knative'),
  );

const tracingResources = readdirSync(tracingDir)
  .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
  .flatMap((f) => documentsOf(join(tracingDir, f)));

function find(kind: string, name: string, namespace?: string): Resource {
  const found = tracingResources.find(
    (r) =>
      r.kind === kind &&
      r.metadata.name === name &&
      (namespace === undefined || r.metadata.namespace === namespace),
  );
  if (!found)
    throw new Error(`no ${kind} ${namespace ?? ''}/${name} in knative/observability/tracing`);
  return found;
}

function startScriptOf(name: string): string | undefined {
  const pkg = JSON.parse(readFileSync(join(root, 'functions', name, 'package.json'), 'utf8')) as {
    scripts?: Record<string, string>;
  };
  return pkg.scripts?.start;
}

function envOf(service: KnativeService): Record<string, string | undefined> {
  const container = service.spec.template.spec.containers[0];
  return Object.fromEntries((container?.env ?? []).map((e) => [e.name, e.value]));
}

/** The collector's Service and the ports it serves, by name. */
const collectorService = find('Service', 'otel-collector') as Resource & {
  spec: { ports: { name: string; port: number }[] };
};
const collectorHost = `http://${collectorService.metadata.name}.${collectorService.metadata.namespace}.svc.cluster.local`;
const portOf = (name: string) => {
  const port = collectorService.spec.ports.find((p) => p.name === name)?.port;
  if (port === undefined) throw new Error(`the collector's Service has no port ${name}`);
  return port;
};
const OTLP_HTTP = `${collectorHost}:${portOf('http-otlp')}`;
const ZIPKIN = `${collectorHost}:${portOf('http-zipkin')}/api/v2/spans`;

describe('knative/services: every function traced', () => {
  it('finds the Knative Services', () => {
    expect(services.map((s) => s.metadata.name).sort()).toEqual(
      expect.arrayContaining(['api-gateway', 'cart', 'offer']),
    );
  });

  it.each(services.map((s) => [s.metadata.name, s] as const))(
    '%s starts with the tracing preload',
    (_name, service) => {
      const container = service.spec.template.spec.containers[0] as Container;
      const command = [...(container.command ?? []), ...(container.args ?? [])];
      expect(command).toEqual(START_COMMAND);
      // Not also through NODE_OPTIONS, which every node child process would inherit.
      expect(envOf(service).NODE_OPTIONS ?? '').not.toContain(PRELOAD);
    },
  );

  it.each(services.map((s) => s.metadata.name))(
    '%s’s package starts the same way (its start script is the Service’s command)',
    (name) => {
      expect(startScriptOf(name)).toBe(START_COMMAND.join(' '));
    },
  );

  it.each(services.map((s) => [s.metadata.name, s] as const))(
    '%s exports OTLP to the cluster’s collector and samples a tenth of new traces',
    (_name, service) => {
      const env = envOf(service);
      expect(env.OTEL_EXPORTER_OTLP_ENDPOINT).toBe(OTLP_HTTP);
      expect(env.OTEL_TRACES_SAMPLER_ARG).toBe(SAMPLE_RATE);
      // The kit's default sampler (parent-based ratio) and exporter (OTLP/HTTP protobuf) hold.
      for (const key of ['OTEL_TRACES_SAMPLER', 'OTEL_TRACES_EXPORTER', 'OTEL_SDK_DISABLED']) {
        expect(env[key], key).toBeUndefined();
      }
    },
  );

  it('lets only the public Service (the gateway) ignore a caller’s sampled flag', () => {
    const edge = services.filter((s) => envOf(s).TRACE_PUBLIC_EDGE === 'true');
    expect(edge.map((s) => s.metadata.name)).toEqual(['api-gateway']);
    const publicServices = services.filter(
      (s) => s.metadata.labels?.['networking.knative.dev/visibility'] !== 'cluster-local',
    );
    expect(publicServices.map((s) => s.metadata.name)).toEqual(['api-gateway']);
  });
});

describe('knative/observability/tracing: Knative’s data plane and the collector', () => {
  it('lists every file in its kustomization', () => {
    const { resources } = parse(readFileSync(join(tracingDir, 'kustomization.yaml'), 'utf8')) as {
      resources: string[];
    };
    const files = readdirSync(tracingDir).filter(
      (f) => f.endsWith('.yaml') && f !== 'kustomization.yaml',
    );
    expect([...resources].sort()).toEqual(files.sort());
  });

  it.each(['knative-serving', 'knative-eventing'])(
    '%s traces to the same collector at the functions’ sample rate',
    (namespace) => {
      // Knative 1.18 and later: config-observability, OpenTelemetry.
      expect(find('ConfigMap', 'config-observability', namespace).data).toEqual({
        'tracing-protocol': 'http/protobuf',
        'tracing-endpoint': `${OTLP_HTTP}/v1/traces`,
        'tracing-sampling-rate': SAMPLE_RATE,
      });
      // Before 1.18: config-tracing, Zipkin only, to the collector's Zipkin receiver.
      expect(find('ConfigMap', 'config-tracing', namespace).data).toEqual({
        backend: 'zipkin',
        'zipkin-endpoint': ZIPKIN,
        'sample-rate': SAMPLE_RATE,
      });
    },
  );

  it('receives OTLP and Zipkin on the ports its Service serves and exports traces to Tempo', () => {
    const config = parse(
      find('ConfigMap', 'otel-collector', 'observability').data?.['collector.yaml'] ?? '',
    ) as {
      receivers: {
        otlp: { protocols: { grpc: { endpoint: string }; http: { endpoint: string } } };
        zipkin: { endpoint: string };
      };
      exporters: Record<string, { endpoint: string }>;
      service: { pipelines: { traces: { receivers: string[]; exporters: string[] } } };
    };
    const listens = (endpoint: string) => Number(endpoint.split(':').at(-1));
    expect(listens(config.receivers.otlp.protocols.http.endpoint)).toBe(portOf('http-otlp'));
    expect(listens(config.receivers.otlp.protocols.grpc.endpoint)).toBe(portOf('grpc-otlp'));
    expect(listens(config.receivers.zipkin.endpoint)).toBe(portOf('http-zipkin'));
    const traces = config.service.pipelines.traces;
    expect(traces.receivers.sort()).toEqual(['otlp', 'zipkin']);
    expect(traces.exporters).toEqual(['otlp/tempo']);
    // Tempo's address comes from the Deployment's environment (a placeholder per cluster).
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the collector's own ${env:…} syntax
    expect(config.exporters['otlp/tempo']?.endpoint).toBe('${env:TEMPO_OTLP_ENDPOINT}');

    const deployment = find('Deployment', 'otel-collector', 'observability') as Resource & {
      spec: {
        selector: { matchLabels: Record<string, string> };
        template: { spec: { containers: Container[] } };
      };
    };
    const container = deployment.spec.template.spec.containers[0] as Container;
    expect(container.env?.find((e) => e.name === 'TEMPO_OTLP_ENDPOINT')?.value).toMatch(/:4317$/);
    const declared = new Set((container.ports ?? []).map((p) => p.containerPort));
    for (const name of ['grpc-otlp', 'http-otlp', 'http-zipkin']) {
      expect(declared.has(portOf(name)), name).toBe(true);
    }
    expect(collectorService.spec).toMatchObject({ selector: deployment.spec.selector.matchLabels });
  });
});
