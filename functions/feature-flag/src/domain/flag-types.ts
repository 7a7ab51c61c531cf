// The flagd flag definition format (https://flagd.dev/schema/v0/flags.json) as TypeScript types.

/** A JSON value as it appears in a flag definition or an evaluation context. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** Flag and flag-set metadata: flat, primitive values only (the schema's `metadata`). */
export type FlagMetadata = Record<string, string | number | boolean>;

/** One flagd flag: variants of one type, a default variant (or none), a state, targeting. */
export interface FlagDefinition {
  state: 'ENABLED' | 'DISABLED';
  variants: Record<string, Json>;
  /** null or absent: "use the code default" when nothing else picks a variant. */
  defaultVariant?: string | null;
  targeting?: Record<string, Json>;
  metadata?: FlagMetadata;
}

/** A flagd flag set document: flags, shared `$evaluators` and set-level metadata. */
export interface FlagSetDocument {
  $schema?: string;
  flags: Record<string, FlagDefinition>;
  $evaluators?: Record<string, Json>;
  metadata?: FlagMetadata;
}

/** The environments a flag has values in; each instance serves one (`FLAG_ENVIRONMENT`). */
export const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** The `$schema` flagd documents carry. */
export const FLAGD_SCHEMA_URL = 'https://flagd.dev/schema/v0/flags.json';
