// Knative Eventing's sender authorization: the `authentication-oidc` and
// `default-authorization-mode` flags of config-features, EventPolicy resources
// (eventing.knative.dev/v1alpha1) and how a request's token subject is judged against them
// (knative/eventing pkg/auth: GetEventPoliciesForResource, ResolveSubjects, SubjectAndFiltersPass;
// the Kafka broker's control plane adds the default-mode policy when none applies).
import {
  createEventSenderVerifier,
  type EventSenderVerifier,
  functionAudience,
  subjectMatches,
} from '@shop/shared';
import { z } from 'zod';
import type { Manifests } from './manifests.js';
import { type OidcIssuer, oidcServiceAccountName, serviceAccountSubject } from './oidc.js';

/** ConfigMap `knative-eventing/config-features`, the part this broker reads. */
export interface EventingFeatures {
  /** `authentication-oidc: enabled` (default disabled). */
  oidc: boolean;
  /** `default-authorization-mode` (default allow-same-namespace): when no EventPolicy applies. */
  defaultAuthorizationMode: 'allow-same-namespace' | 'allow-all' | 'deny-all';
}

export const FEATURES_CONFIG_MAP = 'knative-eventing/config-features';

/** An EventPolicy with its `from` resolved to subjects, as its `status.from` would list them. */
export interface EventPolicyManifest {
  namespace: string;
  name: string;
  /** The resources it applies to (same namespace); empty: every resource of the namespace. */
  to: { group: string; kind: string; name: string }[];
  /** Allowed subjects (`system:serviceaccount:<ns>:<sa>`, or a prefix ending in `*`). */
  from: string[];
}

/** A resource that receives events: a Broker, or a subscriber such as a Knative Service. */
export interface EventTarget {
  group: string;
  kind: string;
  namespace: string;
  name: string;
}

const ref = z.object({
  apiVersion: z.string().min(1),
  kind: z.string().min(1),
  name: z.string().min(1),
});

export const eventPolicySchema = z.object({
  apiVersion: z.literal('eventing.knative.dev/v1alpha1'),
  kind: z.literal('EventPolicy'),
  metadata: z.object({ name: z.string().min(1), namespace: z.string().min(1).optional() }),
  spec: z
    .object({
      to: z.array(z.object({ ref: ref.optional(), selector: z.unknown().optional() })).optional(),
      from: z
        .array(
          z.object({
            ref: ref.extend({ namespace: z.string().min(1).optional() }).optional(),
            sub: z.string().min(1).optional(),
          }),
        )
        .optional(),
      filters: z.array(z.unknown()).optional(),
    })
    .default({}),
});

const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0]! : '');

/**
 * The subjects an EventPolicy `from.ref` stands for: the OIDC identity Knative gives a Trigger or
 * a source (SinkBinding, PingSource, …), `<name>-oidc-<group>-<kind>` in the ref's namespace.
 */
function subjectOfRef(
  from: { apiVersion: string; kind: string; name: string; namespace?: string | undefined },
  policyNamespace: string,
): string {
  const group = groupOf(from.apiVersion);
  const isTrigger = group === 'eventing.knative.dev' && from.kind === 'Trigger';
  if (!isTrigger && group !== 'sources.knative.dev') {
    throw new Error(
      `from.ref ${from.apiVersion} ${from.kind} ${from.name}: the local broker resolves refs to Triggers and sources.knative.dev sources only; name other senders with sub`,
    );
  }
  return serviceAccountSubject(
    from.namespace ?? policyNamespace,
    oidcServiceAccountName(group, from.kind, from.name),
  );
}

/** Validates one EventPolicy and resolves its `from`; throws naming what is wrong. */
export function resolveEventPolicy(
  value: z.infer<typeof eventPolicySchema>,
  defaultNamespace: string,
): EventPolicyManifest {
  const namespace = value.metadata.namespace ?? defaultNamespace;
  const problems: string[] = [];
  const to: EventPolicyManifest['to'] = [];
  for (const [i, item] of (value.spec.to ?? []).entries()) {
    if (item.selector !== undefined) problems.push(`spec.to[${i}].selector is not implemented`);
    if (!item.ref) problems.push(`spec.to[${i}] needs a ref`);
    else to.push({ group: groupOf(item.ref.apiVersion), kind: item.ref.kind, name: item.ref.name });
  }
  const from: string[] = [];
  for (const [i, item] of (value.spec.from ?? []).entries()) {
    if ((item.ref === undefined) === (item.sub === undefined)) {
      problems.push(`spec.from[${i}] needs exactly one of ref and sub`);
      continue;
    }
    try {
      from.push(item.sub ?? subjectOfRef(item.ref!, namespace));
    } catch (error) {
      problems.push(`spec.from[${i}]: ${(error as Error).message}`);
    }
  }
  if (from.length === 0 && problems.length === 0) problems.push('spec.from is empty');
  if (value.spec.filters?.length) problems.push('spec.filters are not implemented');
  if (problems.length > 0) throw new Error(problems.join('; '));
  return { namespace, name: value.metadata.name, to, from };
}

/** The flags of config-features' data; unknown values are refused. */
export function parseFeatures(data: Record<string, string> | undefined): EventingFeatures {
  const oidc = (data?.['authentication-oidc'] ?? 'disabled').toLowerCase();
  const mode = (data?.['default-authorization-mode'] ?? 'allow-same-namespace').toLowerCase();
  if (oidc !== 'enabled' && oidc !== 'disabled') {
    throw new Error(`authentication-oidc is ${oidc}; allowed values are enabled and disabled`);
  }
  if (mode !== 'allow-same-namespace' && mode !== 'allow-all' && mode !== 'deny-all') {
    throw new Error(
      `default-authorization-mode is ${mode}; allowed values are allow-same-namespace, allow-all and deny-all`,
    );
  }
  return { oidc: oidc === 'enabled', defaultAuthorizationMode: mode };
}

/** The EventPolicies that apply to a target: same namespace, and `to` empty or naming it. */
export function policiesFor(
  policies: readonly EventPolicyManifest[],
  target: EventTarget,
): EventPolicyManifest[] {
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  return policies
    .filter(
      (p) =>
        p.namespace === target.namespace &&
        (p.to.length === 0 ||
          p.to.some(
            (t) =>
              same(t.group, target.group) && same(t.kind, target.kind) && same(t.name, target.name),
          )),
    )
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The subjects that may send to a target: those of its applying EventPolicies, else the default
 * authorization mode's (`system:serviceaccount:<ns>:*`, `*`, or none).
 * @example allowedSenders(manifests.eventPolicies, features, { group: 'serving.knative.dev', kind: 'Service', namespace: 'shop', name: 'cart' })
 */
export function allowedSenders(
  policies: readonly EventPolicyManifest[],
  features: EventingFeatures,
  target: EventTarget,
): string[] {
  const applying = policiesFor(policies, target);
  if (applying.length > 0) return [...new Set(applying.flatMap((p) => p.from))];
  switch (features.defaultAuthorizationMode) {
    case 'allow-all':
      return ['*'];
    case 'deny-all':
      return [];
    default:
      return [`${serviceAccountSubject(target.namespace, '')}*`];
  }
}

/** Whether a token subject may send to a target. */
export function isAllowedSender(allowed: readonly string[], subject: string): boolean {
  return allowed.some((pattern) => subjectMatches(pattern, subject));
}

/**
 * The check a function's /events makes of the broker's tokens in tests that start it before the
 * broker: this issuer's keys, the function's audience, the senders its EventPolicies allow.
 * @example const oidc = createOidcIssuer({ issuer: 'http://broker.test' });
 * await cart.start({ verifyEventSender: subscriberVerifier(oidc, loadManifests(dir), 'cart') });
 */
export function subscriberVerifier(
  oidc: Pick<OidcIssuer, 'issuer' | 'jwks'>,
  manifests: Pick<Manifests, 'eventPolicies' | 'features'>,
  service: string,
  namespace = 'shop',
): EventSenderVerifier {
  return createEventSenderVerifier({
    issuer: oidc.issuer,
    jwks: oidc.jwks as unknown as Parameters<typeof createEventSenderVerifier>[0]['jwks'],
    audience: functionAudience(service, namespace),
    allowedSenders: allowedSenders(manifests.eventPolicies, manifests.features, {
      group: 'serving.knative.dev',
      kind: 'Service',
      namespace,
      name: service,
    }),
  });
}
