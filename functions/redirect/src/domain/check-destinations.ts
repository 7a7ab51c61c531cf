// Every URL a link can send a visitor to, checked against the open-redirect policy at once, so
// staff see all the refusals of one edit together.
import type { LinkRule, LinkVariant } from './link.js';
import { type DestinationPolicy, validateDestination } from './validate-destination.js';

export interface DestinationFields {
  destinationUrl?: string | undefined;
  expiredUrl?: string | null | undefined;
  rules?: readonly LinkRule[] | undefined;
  variants?: readonly LinkVariant[] | undefined;
}

export interface CheckedDestinations {
  /** The fields with each URL as the parser serialises it. */
  fields: DestinationFields;
  /** `json.<field>` and why, one per refused URL. */
  errors: { name: string; reason: string }[];
}

/**
 * @example checkDestinations({ destinationUrl: 'https://evil.example' }, policy).errors // [{ name: 'json.destinationUrl', reason: "must be on the shop's own hosts" }]
 */
export function checkDestinations(
  input: DestinationFields,
  policy: DestinationPolicy,
): CheckedDestinations {
  const errors: { name: string; reason: string }[] = [];
  const check = (value: string, name: string): string => {
    const result = validateDestination(value, policy);
    if (result.ok) return result.url;
    errors.push({ name, reason: result.reason });
    return value;
  };
  const fields: DestinationFields = {};
  if (input.destinationUrl !== undefined) {
    fields.destinationUrl = check(input.destinationUrl, 'json.destinationUrl');
  }
  if (input.expiredUrl !== undefined) {
    fields.expiredUrl =
      input.expiredUrl === null ? null : check(input.expiredUrl, 'json.expiredUrl');
  }
  if (input.rules !== undefined) {
    fields.rules = input.rules.map((rule, i) => ({
      ...rule,
      destinationUrl: check(rule.destinationUrl, `json.rules.${i}.destinationUrl`),
    }));
  }
  if (input.variants !== undefined) {
    fields.variants = input.variants.map((variant, i) => ({
      ...variant,
      destinationUrl: check(variant.destinationUrl, `json.variants.${i}.destinationUrl`),
    }));
  }
  return { fields, errors };
}
