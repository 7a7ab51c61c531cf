export { formatEtag, type IfMatch, parseIfMatch } from './if-match.js';
export { cursorFingerprint, decodeOpaqueCursor, encodeOpaqueCursor } from './opaque-cursor.js';
export { problemJson, problemJsonSchema, problemResponses } from './problem-schema.js';
