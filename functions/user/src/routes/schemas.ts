// Schemas the user routes share: the profile and address as clients see them, field rules, problems.
import { z } from '@hono/zod-openapi';
import { countryCode, text as sharedText } from '@shop/shared';
import { type Address, MAX_ADDRESSES, type Profile } from '../domain/profile.js';

/** Free text stored in PostgreSQL, trimmed: the kit's rule (no control characters, no lone surrogates). */
export const text = (max: number, min = 1) => sharedText({ max, min });

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

/** Whether `tag` is a well-formed BCP 47 language tag. */
function isLanguageTag(tag: string): boolean {
  try {
    return Intl.getCanonicalLocales(tag).length === 1;
  } catch {
    return false;
  }
}

/**
 * The canonical form of a BCP 47 tag the schema accepted (`de-de` → `de-DE`).
 * @example canonicalLocale('en-gb') // 'en-GB'
 */
export function canonicalLocale(tag: string): string {
  return Intl.getCanonicalLocales(tag)[0] ?? tag;
}

export const LocaleSchema = sharedText({ min: 2, max: 35, trim: false })
  .refine(isLanguageTag, 'must be a BCP 47 language tag, e.g. de-DE')
  .openapi({ example: 'de-DE', description: 'BCP 47 language tag; stored in canonical form.' });

export const CurrencySchema = sharedText({ max: 3, trim: false })
  .refine((code) => CURRENCIES.has(code), 'must be an ISO 4217 currency code, e.g. EUR')
  .openapi({ example: 'EUR' });

export const CountrySchema = countryCode();

export const PhoneSchema = sharedText({ max: 32 })
  .regex(/^\+?[0-9][0-9 ()./-]{2,31}$/, 'must be a phone number, e.g. +49 30 1234567')
  .openapi({ example: '+49 30 1234567' });

export const IdSchema = z.guid().toLowerCase().openapi({ format: 'uuid' });

export const ProfileChangesSchema = z
  .strictObject({
    displayName: text(200).nullable(),
    locale: LocaleSchema.nullable(),
    preferredCurrency: CurrencySchema.nullable(),
    marketingConsent: z.boolean(),
  })
  .partial()
  .refine((body) => Object.values(body).some((value) => value !== undefined), {
    message: 'name at least one field to change',
  })
  .openapi('ProfileChanges');

const addressFields = {
  label: text(50).nullable().optional(),
  name: text(200),
  line1: text(200),
  line2: text(200).nullable().optional(),
  postalCode: text(20),
  city: text(100),
  region: text(100).nullable().optional(),
  country: CountrySchema,
  phone: PhoneSchema.nullable().optional(),
  isDefaultShipping: z.boolean().optional(),
  isDefaultBilling: z.boolean().optional(),
};

export const NewAddressSchema = z.strictObject(addressFields).openapi('NewAddress');

export const AddressChangesSchema = z
  .strictObject({
    ...addressFields,
    name: addressFields.name.optional(),
    line1: addressFields.line1.optional(),
    postalCode: addressFields.postalCode.optional(),
    city: addressFields.city.optional(),
    country: addressFields.country.optional(),
  })
  .refine((body) => Object.values(body).some((value) => value !== undefined), {
    message: 'name at least one field to change',
  })
  .openapi('AddressChanges');

export const AddressSchema = z
  .object({
    id: z.string().openapi({ format: 'uuid' }),
    label: z.string().nullable(),
    name: z.string(),
    line1: z.string(),
    line2: z.string().nullable(),
    postalCode: z.string(),
    city: z.string(),
    region: z.string().nullable(),
    country: z.string(),
    phone: z.string().nullable(),
    isDefaultShipping: z.boolean(),
    isDefaultBilling: z.boolean(),
    createdAt: z.string().openapi({ format: 'date-time' }),
    updatedAt: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('Address');

export const ProfileSchema = z
  .object({
    id: z.string().openapi({ format: 'uuid', description: 'The user id (from auth).' }),
    email: z.string(),
    displayName: z.string().nullable(),
    locale: z.string().nullable(),
    preferredCurrency: z.string().nullable(),
    marketingConsent: z.boolean(),
    marketingConsentAt: z
      .string()
      .nullable()
      .openapi({ format: 'date-time', description: 'When the consent in force was given.' }),
    addresses: z.array(AddressSchema).max(MAX_ADDRESSES),
    version: z.int().openapi({ description: 'Increments on every change; ETag W/"<version>".' }),
    registeredAt: z.string().openapi({ format: 'date-time' }),
    createdAt: z.string().openapi({ format: 'date-time' }),
    updatedAt: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('Profile');

export const ConsentRecordSchema = z
  .object({
    granted: z.boolean(),
    origin: z.enum(['registration', 'profile']),
    recordedAt: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('ConsentRecord');

// The problem+json schema and response are the shared kit's: one `Problem` component for all.
export { problemJson as problem, problemJsonSchema as ProblemSchema } from '@shop/shared';

/** A required JSON body: another content type is a 400 instead of an empty object. */
export const json = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});

export const ETagHeader = {
  ETag: { description: 'W/"<version>" of the profile', schema: { type: 'string' as const } },
};

export const IfMatchHeaders = z.object({
  'if-match': sharedText({ max: 500, min: 0 }).optional().openapi({
    description: 'Optional: the ETag of the profile as you last read it; stale → 412.',
  }),
});

export function presentAddress(address: Address): z.infer<typeof AddressSchema> {
  return {
    id: address.id,
    label: address.label,
    name: address.name,
    line1: address.line1,
    line2: address.line2,
    postalCode: address.postalCode,
    city: address.city,
    region: address.region,
    country: address.country,
    phone: address.phone,
    isDefaultShipping: address.isDefaultShipping,
    isDefaultBilling: address.isDefaultBilling,
    createdAt: address.createdAt.toISOString(),
    updatedAt: address.updatedAt.toISOString(),
  };
}

export function presentProfile(
  profile: Profile,
  addresses: Address[],
): z.infer<typeof ProfileSchema> {
  return {
    id: profile.userId,
    email: profile.email,
    displayName: profile.displayName,
    locale: profile.locale,
    preferredCurrency: profile.preferredCurrency,
    marketingConsent: profile.marketingConsent,
    marketingConsentAt: profile.marketingConsentAt?.toISOString() ?? null,
    addresses: addresses.map(presentAddress),
    version: profile.version,
    registeredAt: profile.registeredAt.toISOString(),
    createdAt: profile.createdAt.toISOString(),
    updatedAt: profile.updatedAt.toISOString(),
  };
}
