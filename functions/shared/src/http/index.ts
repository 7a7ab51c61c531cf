export {
  edgeClientAddress,
  gatewayClientAddress,
  socketAddress,
  trustedForwardedEntry,
} from './client-address.js';
export { countryCode, isCountryCode } from './country-code.js';
export { formatEtag, type IfMatch, parseIfMatch } from './if-match.js';
export { cursorFingerprint, decodeOpaqueCursor, encodeOpaqueCursor } from './opaque-cursor.js';
export { problemJson, problemJsonSchema, problemResponses } from './problem-schema.js';
export { headerValue, type RawHeaders, requestHeaders } from './request-headers.js';
export { API_SECURITY_HEADERS } from './security-headers.js';
export {
  CONTROL_CHARACTER_MESSAGE,
  hasControlCharacter,
  isCleanText,
  LONE_SURROGATE_MESSAGE,
  MULTILINE_CONTROL_CHARACTER_MESSAGE,
  type TextOptions,
  text,
} from './text.js';
