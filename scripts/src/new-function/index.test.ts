import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { describeFunction, generateFunction } from './index.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
/** The files the generator extends, copied into a scratch repository root. */
const REGISTRIES = [
  'eventing/src/broker/local-services.ts',
  'scripts/src/functions.ts',
  'scripts/package.json',
  'knative/services/kustomization.yaml',
];

let root: string | undefined;
function scratchRoot(): string {
  root = mkdtempSync(join(tmpdir(), 'new-function-'));
  for (const file of REGISTRIES) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    cpSync(join(repo, file), join(root, file));
  }
  return root;
}
afterEach(() => {
  if (root) rmSync(root, { recursive: true, force: true });
  root = undefined;
});

describe('npm run new-function', () => {
  it('derives every name of a function from its kebab-case service name', () => {
    expect(describeFunction('gift-card', 8093)).toEqual({
      name: 'gift-card',
      identifier: 'giftCard',
      typeName: 'GiftCard',
      schema: 'gift_card',
      port: 8093,
    });
    for (const bad of ['GiftCard', 'gift_card', '-x', 'x-', 'a--b', 'shared', 'e2e', '']) {
      expect(() => describeFunction(bad, 8093)).toThrow();
    }
  });

  it('writes the declaration, app, first route and test, migration, README and manifests, and registers them', () => {
    const at = scratchRoot();
    const written = generateFunction(at, 'gift-card');
    expect(written).toEqual(
      expect.arrayContaining([
        'functions/gift-card/src/main.ts',
        'functions/gift-card/src/events.ts',
        'functions/gift-card/src/routes/status.test.ts',
        'functions/gift-card/migrations/001_gift_card.sql',
        'functions/gift-card/README.md',
        'knative/services/gift-card.yaml',
        'knative/services/gift-card-migrate-job.yaml',
      ]),
    );
    const read = (path: string) => readFileSync(join(at, path), 'utf8');
    expect(read('functions/gift-card/src/main.ts')).toContain(
      'export const giftCard = defineFunction({',
    );
    expect(read('functions/gift-card/migrations/001_gift_card.sql')).toContain(
      'CREATE TABLE gift_card.outbox',
    );
    // The first free dev port after the ones ARCHITECTURE.md gives, registered for npm run dev.
    expect(read('eventing/src/broker/local-services.ts')).toContain("'gift-card': 8093,");
    expect(read('scripts/src/functions.ts')).toContain(
      "import { giftCard } from '@shop/gift-card';",
    );
    expect(read('scripts/src/functions.ts')).toMatch(
      / {2}giftCard,\n {2}\/\/ new-function: entries/,
    );
    expect(JSON.parse(read('scripts/package.json')).dependencies['@shop/gift-card']).toBe('0.1.0');
    expect(read('knative/services/kustomization.yaml')).toContain('  - gift-card-migrate-job.yaml');
    expect(JSON.parse(read('functions/gift-card/package.json')).scripts.migrate).toBe(
      'node dist/main.js migrate',
    );
    // Born traced: started with the preload, exporting to the cluster's collector at 10 %
    // (eventing/src/broker/knative-tracing.test.ts holds every Service to the same).
    expect(JSON.parse(read('functions/gift-card/package.json')).scripts.start).toBe(
      'node --import @shop/shared/telemetry/preload dist/main.js',
    );
    const service = read('knative/services/gift-card.yaml');
    expect(service).toContain(
      'command: ["node", "--import", "@shop/shared/telemetry/preload", "dist/main.js"]',
    );
    expect(service).toMatch(
      /- name: OTEL_EXPORTER_OTLP_ENDPOINT\n\s+value: http:\/\/otel-collector\.observability\.svc\.cluster\.local:4318\n/,
    );
    expect(service).toMatch(/- name: OTEL_TRACES_SAMPLER_ARG\n\s+value: "0\.1"\n/);
  });

  it('takes the port ARCHITECTURE.md gives a planned function, and refuses one that exists', () => {
    const at = scratchRoot();
    generateFunction(at, 'audit');
    expect(readFileSync(join(at, 'functions/audit/src/main.ts'), 'utf8')).toContain('port: 8091,');
    expect(() => generateFunction(at, 'audit')).toThrow(/exists/);
  });
});
