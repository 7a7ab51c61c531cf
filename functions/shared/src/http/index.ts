export { formatEtag, type IfMatch, parseIfMatch } from './if-match.js';
export { cursorFingerprint, decodeOpaqueCursor, encodeOpaqueCursor } from './opaque-cursor.js';
export { problemJson, problemJsonSchema, problemResponses } from './problem-schema.js';
export { headerValue, type RawHeaders, requestHeaders } from './request-headers.js';
