// The six Segment call types, and the names staff and metrics see for a refused event.
/** A Segment Tracking API call type. */
export type CallType = 'track' | 'page' | 'screen' | 'identify' | 'group' | 'alias';

export const CALL_TYPES: readonly CallType[] = [
  'track',
  'page',
  'screen',
  'identify',
  'group',
  'alias',
];

/** Why an event of an accepted request was not kept (counted per source, never silent). */
export type RejectionReason =
  | 'too_large'
  | 'invalid_type'
  | 'no_user_anon_id'
  | 'missing_field'
  | 'invalid_timestamp'
  | 'invalid';

export const REJECTION_REASONS: readonly RejectionReason[] = [
  'too_large',
  'invalid_type',
  'no_user_anon_id',
  'missing_field',
  'invalid_timestamp',
  'invalid',
];

/** A JSON object as parsed (own properties only). */
export type JsonObject = Record<string, unknown>;

/** True for a plain JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True for one of the six call types. */
export function isCallType(value: unknown): value is CallType {
  return typeof value === 'string' && (CALL_TYPES as readonly string[]).includes(value);
}
