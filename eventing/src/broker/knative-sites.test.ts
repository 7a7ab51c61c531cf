// knative/sites: the three Astro sites as Knative Services. Each starts as its package does, names
// only settings its README documents, keeps its secrets in Secrets, and has a public name; the
// storefront's /events trusts exactly the Trigger its EventPolicy names, and only the broker's
// dispatcher may reach that path through the mesh.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { functionAudience } from '@shop/shared';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { allowedSenders } from './event-policies.js';
import { loadManifests } from './manifests.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const dir = join(root, 'knative', 'sites');

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string }; configMapKeyRef?: unknown };
}
interface Resource {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec: {
    ref?: { kind: string; name: string };
    template?: {
      spec: {
        serviceAccountName?: string;
        containers: { command?: string[]; env?: EnvVar[]; ports?: { containerPort: number }[] }[];
      };
    };
    rules?: {
      from?: { source: { principals?: string[]; namespaces?: string[] } }[];
      to?: { operation: { paths?: string[]; notPaths?: string[]; methods?: string[] } }[];
    }[];
  };
}

const files = readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
const resources: Resource[] = files.flatMap((f) =>
  parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => d.toJS() as Resource),
);
const services = resources.filter(
  (r) => r.kind === 'Service' && r.apiVersion.startsWith('serving'),
);
const SITES = ['admin', 'landing', 'storefront'];
const containerOf = (site: string) => {
  const service = services.find((s) => s.metadata.name === site);
  if (!service?.spec.template) throw new Error(`no Service ${site} in knative/sites`);
  return service.spec.template.spec.containers[0]!;
};
const envOf = (site: string) =>
  Object.fromEntries((containerOf(site).env ?? []).map((e) => [e.name, e]));

describe('knative/sites', () => {
  it('is applied with everything else and lists every file', () => {
    const top = parse(readFileSync(join(root, 'knative', 'kustomization.yaml'), 'utf8')) as {
      resources: string[];
    };
    expect(top.resources).toContain('sites');
    const own = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as {
      resources: string[];
    };
    expect([...own.resources].sort()).toEqual([...files].sort());
  });

  it('deploys every site of sites/ as a Knative Service', () => {
    const onDisk = readdirSync(join(root, 'sites')).filter((d) =>
      readdirSync(join(root, 'sites', d)).includes('astro.config.mjs'),
    );
    expect(services.map((s) => s.metadata.name).sort()).toEqual(SITES);
    expect(onDisk.sort()).toEqual(SITES);
  });

  it.each(SITES)('starts %s as its package does, listening on every interface', (site) => {
    const pkg = JSON.parse(readFileSync(join(root, 'sites', site, 'package.json'), 'utf8')) as {
      scripts: { start: string };
    };
    const container = containerOf(site);
    expect(container.command?.join(' ')).toBe(pkg.scripts.start);
    expect(envOf(site).HOST?.value).toBe('0.0.0.0');
    // Knative gives the container PORT (8080); the node adapter reads it.
    expect(container.ports?.[0]?.containerPort).toBe(8080);
    expect(envOf(site).PORT).toBeUndefined();
  });

  it.each(SITES)('gives %s only settings its README documents, secrets from Secrets', (site) => {
    const readme = readFileSync(join(root, 'sites', site, 'README.md'), 'utf8');
    for (const variable of containerOf(site).env ?? []) {
      if (variable.name === 'NODE_EXTRA_CA_CERTS') continue;
      expect(readme, `${site}: ${variable.name} is not in its README`).toMatch(
        new RegExp(`\`${variable.name}\``),
      );
      // A `…_FILE` names where a mounted credential is (a projected token), not the credential.
      if (
        /REDIS_URL|KEY|SECRET|PASSWORD|TOKEN/.test(variable.name) &&
        !variable.name.endsWith('_FILE')
      ) {
        expect(variable.valueFrom?.secretKeyRef, `${site}: ${variable.name}`).toBeDefined();
      }
    }
    expect(envOf(site).PUBLIC_ORIGIN?.value).toMatch(/^https:\/\//);
    expect(envOf(site).GATEWAY_URL?.value).toBe('http://api-gateway.shop.svc.cluster.local');
  });

  it("lets the storefront's /events trust exactly the Trigger its EventPolicy names", () => {
    const eventing = loadManifests(join(root, 'knative', 'eventing'));
    const senders = allowedSenders(eventing.eventPolicies, eventing.features, {
      group: 'serving.knative.dev',
      kind: 'Service',
      namespace: 'shop',
      name: 'storefront',
    });
    const env = envOf('storefront');
    expect(env.EVENTS_ALLOWED_SENDERS?.value?.split(',').sort()).toEqual(senders.sort());
    expect(env.EVENTS_OIDC_AUDIENCE?.value).toBe(functionAudience('storefront'));
    expect(env.EVENTS_OIDC_ISSUER?.valueFrom?.configMapKeyRef).toBeDefined();
    const triggers = eventing.triggers.filter((t) => t.subscriber.ref?.name === 'storefront');
    expect(triggers.map((t) => t.name)).toEqual(['storefront-on-catalog-changes']);
  });

  it('maps a public name to each site and to the gateway, and to nothing that is not deployed', () => {
    const functions = readdirSync(join(root, 'knative', 'services'))
      .filter((f) => f.endsWith('.yaml'))
      .flatMap((f) =>
        parseAllDocuments(readFileSync(join(root, 'knative', 'services', f), 'utf8')).map(
          (d) => d.toJS() as Resource,
        ),
      )
      .filter((r) => r.kind === 'Service')
      .map((r) => r.metadata.name);
    const mappings = resources.filter((r) => r.kind === 'DomainMapping');
    for (const mapping of mappings) {
      expect([...SITES, ...functions]).toContain(mapping.spec.ref?.name);
    }
    expect(mappings.map((m) => m.spec.ref?.name).sort()).toEqual([
      'admin',
      'api-gateway',
      'landing',
      'storefront',
    ]);
  });

  it('keeps /events to the broker dispatcher: the ingress reaches every other path', () => {
    const policy = resources.find((r) => r.kind === 'AuthorizationPolicy');
    const rules = policy?.spec.rules ?? [];
    const ingress = rules.find((r) => r.from?.[0]?.source.namespaces?.includes('istio-system'));
    expect(ingress?.to?.[0]?.operation.notPaths).toEqual(['/events', '/events/*']);
    const broker = rules.find((r) => r.from?.[0]?.source.principals);
    expect(broker?.from?.[0]?.source.principals).toEqual([
      'cluster.local/ns/knative-eventing/sa/knative-kafka-broker-data-plane',
    ]);
    expect(broker?.to?.[0]?.operation).toEqual({ methods: ['POST'], paths: ['/events'] });
    // The functions' policy (knative/istio) selects part-of: shop; the sites are not in it.
    for (const service of services) {
      expect(service.metadata.labels?.['app.kubernetes.io/part-of']).toBe('shop-sites');
    }
  });
});
