// Trigger filters as the Kafka broker's dispatcher evaluates them (data-plane core/filter:
// AttributesFilter and the subscriptionsapi Exact/Prefix/Suffix/All/Any/Not filters), and as
// Knative's webhook validates them (eventing pkg/apis/eventing/v1/trigger_validation.go).
import type { BrokerEvent } from './cloudevent.js';

/** One item of `spec.filters` (CloudEvents Subscriptions API filter dialects). */
export interface SubscriptionsApiFilter {
  exact?: Record<string, string>;
  prefix?: Record<string, string>;
  suffix?: Record<string, string>;
  all?: SubscriptionsApiFilter[];
  any?: SubscriptionsApiFilter[];
  not?: SubscriptionsApiFilter;
  cesql?: string;
}

/** What a Trigger says about filtering. */
export interface TriggerFilterSpec {
  /** Legacy `spec.filter.attributes`: exact matches, all of them. */
  filter?: { attributes?: Record<string, string> };
  /** `spec.filters`: every item must match; wins over `filter` when non-empty. */
  filters?: SubscriptionsApiFilter[];
}

export type EventFilter = (event: BrokerEvent) => boolean;

const ATTRIBUTE_NAME = /^[a-z][a-z0-9]*$/;

/**
 * Java's DateTimeFormatter.ISO_INSTANT of the event time, which is what the Kafka broker
 * compares `time` filters against: UTC, `Z`, fraction in groups of three digits, none when zero.
 */
export function isoInstant(time: string): string {
  const match =
    /^(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2}:\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})$/.exec(time);
  if (!match) return time;
  const [, date, clock, fraction = '', zone] = match;
  const utc = new Date(`${date}T${clock}${zone!.toUpperCase()}`);
  if (Number.isNaN(utc.getTime())) return time;
  const base = utc.toISOString().slice(0, 19);
  const digits = fraction.slice(0, 9).replace(/0+$/, '');
  const grouped = digits === '' ? '' : `.${digits.padEnd(Math.ceil(digits.length / 3) * 3, '0')}`;
  return `${base}${grouped}Z`;
}

/** The string an attribute filter compares: "" when the event lacks the attribute. */
function attributeValue(event: BrokerEvent, name: string): string {
  const key = name === 'schemaurl' ? 'dataschema' : name;
  const value = event.attributes[key];
  if (value === undefined) return '';
  return key === 'time' ? isoInstant(value) : value;
}

/**
 * AttributesFilter: every attribute with a non-empty wanted value must `match`; attributes
 * whose wanted value is empty are ignored.
 */
function attributesFilter(
  attributes: Record<string, string>,
  match: (given: string, wanted: string) => boolean,
): EventFilter {
  const entries = Object.entries(attributes).filter(([, wanted]) => wanted !== '');
  return (event) => entries.every(([name, wanted]) => match(attributeValue(event, name), wanted));
}

const matchAll: EventFilter = () => true;

function dialectFilter(filter: SubscriptionsApiFilter): EventFilter {
  if (filter.all && filter.all.length > 0) return allOf(filter.all.map(dialectFilter));
  if (filter.any && filter.any.length > 0) {
    const any = filter.any.map(dialectFilter);
    return (event) => any.some((f) => f(event));
  }
  if (filter.not) {
    const not = dialectFilter(filter.not);
    return (event) => !not(event);
  }
  if (filter.exact) return attributesFilter(filter.exact, (given, wanted) => given === wanted);
  if (filter.prefix)
    return attributesFilter(filter.prefix, (given, wanted) => given.startsWith(wanted));
  if (filter.suffix)
    return attributesFilter(filter.suffix, (given, wanted) => given.endsWith(wanted));
  if (filter.cesql) throw new Error('cesql filters are not supported by the local broker');
  // An item without any dialect is an empty filter, which matches everything.
  return matchAll;
}

function allOf(filters: EventFilter[]): EventFilter {
  return (event) => filters.every((f) => f(event));
}

/**
 * The filter a Trigger applies: `filters` when it has items, else the exact-match
 * `filter.attributes`, else everything passes. Matching is case-sensitive.
 * @example compileTriggerFilter({ filters: [{ prefix: { type: 'shop.offer.' } }] })(event)
 */
export function compileTriggerFilter(spec: TriggerFilterSpec): EventFilter {
  if (spec.filters && spec.filters.length > 0) return allOf(spec.filters.map(dialectFilter));
  const attributes = spec.filter?.attributes;
  if (attributes) return attributesFilter(attributes, (given, wanted) => given === wanted);
  return matchAll;
}

function dialectsOf(filter: SubscriptionsApiFilter): string[] {
  const set: string[] = [];
  if (filter.exact && Object.keys(filter.exact).length > 0) set.push('exact');
  if (filter.prefix && Object.keys(filter.prefix).length > 0) set.push('prefix');
  if (filter.suffix && Object.keys(filter.suffix).length > 0) set.push('suffix');
  if (filter.all && filter.all.length > 0) set.push('all');
  if (filter.any && filter.any.length > 0) set.push('any');
  if (filter.not) set.push('not');
  if (filter.cesql) set.push('cesql');
  return set;
}

function validateAttributeNames(attributes: Record<string, string>, path: string): string[] {
  return Object.keys(attributes)
    .filter((name) => !ATTRIBUTE_NAME.test(name))
    .map(
      (name) =>
        `${path}.${name}: attribute name must start with a letter and can only contain lowercase alphanumeric`,
    );
}

function validateSingleAttribute(attributes: Record<string, string> | undefined, path: string) {
  if (!attributes || Object.keys(attributes).length === 0) return [];
  if (Object.keys(attributes).length !== 1) {
    return [`${path}: multiple items found, can have only one key-value`];
  }
  return validateAttributeNames(attributes, path);
}

function validateFilter(filter: SubscriptionsApiFilter, path: string): string[] {
  const errors: string[] = [];
  const dialects = dialectsOf(filter);
  if (dialects.length > 1) {
    errors.push(
      `${path}: multiple dialects found (${dialects.join(', ')}), filters can have only one dialect set`,
    );
  }
  if (filter.cesql) {
    errors.push(`${path}.cesql: CloudEvents SQL filters are not supported by the local broker`);
  }
  errors.push(...validateSingleAttribute(filter.exact, `${path}.exact`));
  errors.push(...validateSingleAttribute(filter.prefix, `${path}.prefix`));
  errors.push(...validateSingleAttribute(filter.suffix, `${path}.suffix`));
  filter.all?.forEach((f, i) => {
    errors.push(...validateFilter(f, `${path}.all[${i}]`));
  });
  filter.any?.forEach((f, i) => {
    errors.push(...validateFilter(f, `${path}.any[${i}]`));
  });
  if (filter.not) errors.push(...validateFilter(filter.not, `${path}.not`));
  return errors;
}

/**
 * What Knative's webhook (plus this broker) refuses in a Trigger's filters: attribute names
 * that are not lowercase alphanumeric starting with a letter, items with more than one
 * dialect, exact/prefix/suffix with more than one attribute, and CESQL (not implemented here).
 * Returns one message per problem, each with its path.
 */
export function validateTriggerFilters(spec: TriggerFilterSpec): string[] {
  const errors: string[] = [];
  if (spec.filter?.attributes) {
    errors.push(...validateAttributeNames(spec.filter.attributes, 'spec.filter.attributes'));
  }
  spec.filters?.forEach((f, i) => {
    errors.push(...validateFilter(f, `spec.filters[${i}]`));
  });
  return errors;
}
