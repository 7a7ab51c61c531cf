// audit consumes exactly what the catalog says it does, maps every such type to an entry, and
// a Trigger of knative/eventing delivers each of them (and nothing else) to it.
import { fileURLToPath } from 'node:url';
import { eventCatalog } from '@shop/eventing';
import { compileTriggerFilter, loadManifests } from '@shop/eventing/broker';
import { describe, expect, it } from 'vitest';
import { auditedTypes } from './domain/audit-record.js';
import { auditedEventTypes } from './events.js';

const catalogued = Object.values(eventCatalog)
  .filter((definition) => (definition.consumers as readonly string[]).includes('audit'))
  .map((definition) => definition.type)
  .sort();

describe('what audit records', () => {
  it('consumes every catalogued event that names audit as a consumer, and maps each one', () => {
    expect([...auditedEventTypes].sort()).toEqual(catalogued);
    expect([...auditedTypes].sort()).toEqual(catalogued);
  });

  it('has a Trigger delivering each of them, and only them, to its /events', () => {
    const manifests = loadManifests(
      fileURLToPath(new URL('../../../knative/eventing/', import.meta.url)),
    );
    const toAudit = manifests.triggers.filter((t) => t.subscriber.ref?.name === 'audit');
    expect(toAudit.length).toBeGreaterThan(0);
    const filters = toAudit.map((t) => compileTriggerFilter(t));
    for (const definition of Object.values(eventCatalog)) {
      const event = {
        attributes: { type: definition.type, source: '/shop/x', id: '1', specversion: '1.0' },
        data: null,
      };
      const delivered = filters.some((matches) => matches(event));
      expect(delivered, definition.type).toBe(catalogued.includes(definition.type));
    }
  });
});
