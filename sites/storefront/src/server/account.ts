// What the account pages share: the way back to sign-in, and the fields of an address form.
import { field } from './form-handlers.js';
import type { Address } from './gateway-client.js';
import type { MessageKey } from './i18n.js';
import type { ShopContext } from './shop-context.js';

/**
 * The redirect to sign-in that comes back to `path` (a path without its locale prefix).
 * @example if (!shop.auth) return signInFirst(shop, '/account');
 */
export function signInFirst(shop: ShopContext, path: string): Response {
  const location = `${shop.href('/signin')}?return=${encodeURIComponent(shop.href(path))}`;
  return new Response(null, { status: 303, headers: { location } });
}

/** The fields of an address form, in order, with their label and autocomplete token. */
export const ADDRESS_FIELDS = [
  { name: 'name', label: 'name', autocomplete: 'shipping name', required: true, max: 200 },
  {
    name: 'line1',
    label: 'line1',
    autocomplete: 'shipping address-line1',
    required: true,
    max: 200,
  },
  {
    name: 'line2',
    label: 'line2',
    autocomplete: 'shipping address-line2',
    required: false,
    max: 200,
  },
  {
    name: 'postalCode',
    label: 'postalCode',
    autocomplete: 'shipping postal-code',
    required: true,
    max: 20,
  },
  {
    name: 'city',
    label: 'city',
    autocomplete: 'shipping address-level2',
    required: true,
    max: 200,
  },
  { name: 'country', label: 'country', autocomplete: 'shipping country', required: true, max: 2 },
] as const satisfies readonly {
  name: string;
  label: MessageKey;
  autocomplete: string;
  required: boolean;
  max: number;
}[];

export type AddressFieldName = (typeof ADDRESS_FIELDS)[number]['name'];
export type AddressValues = Record<AddressFieldName, string>;

/** The address fields of a posted form, trimmed; the country upper-cased. */
export function addressFromForm(form: FormData | undefined): AddressValues {
  const values = Object.fromEntries(
    ADDRESS_FIELDS.map(({ name }) => [name, field(form, name)]),
  ) as AddressValues;
  values.country = values.country.toUpperCase();
  return values;
}

/** An address form's values as the API takes them (an empty line 2 left out). */
export function addressBody(values: AddressValues) {
  return {
    name: values.name,
    line1: values.line1,
    ...(values.line2 && { line2: values.line2 }),
    postalCode: values.postalCode,
    city: values.city,
    country: values.country,
  };
}

/** One line of an address, for lists and choices. */
export function addressLine(address: Address): string {
  return [
    address.name,
    address.line1,
    address.line2,
    `${address.postalCode} ${address.city}`,
    address.country,
  ]
    .filter(Boolean)
    .join(', ');
}

/** The names of the fields a problem's `errors` point at (`body.line1` → `line1`). */
export function invalidFields(errors: { name: string }[] | undefined): string[] {
  return (errors ?? []).map((e) => e.name.replace(/^(body|json)\.(shippingAddress\.)?/, ''));
}
