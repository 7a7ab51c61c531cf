// A batch's `context` applies to every call in it; a call's own context wins field by field,
// nested objects merged the same way. `context.ip` is dropped: the ingest never forwards a
// client's IP address (personal data the consumers do not need).
import { isJsonObject, type JsonObject } from './segment-call.js';

function merge(base: JsonObject, over: JsonObject): JsonObject {
  // Built with Object.fromEntries (own data properties), so a `__proto__` key stays a key and
  // never reaches a prototype.
  const merged = new Map<string, unknown>(Object.entries(base));
  for (const [key, value] of Object.entries(over)) {
    const under = merged.get(key);
    merged.set(key, isJsonObject(under) && isJsonObject(value) ? merge(under, value) : value);
  }
  return Object.fromEntries(merged);
}

/**
 * The call's context over the batch's, without `ip`.
 * @example mergeContext({ library: { name: 'x' }, ip: '1.2.3.4' }, { page: { path: '/' } }) // { library: { name: 'x' }, page: { path: '/' } }
 */
export function mergeContext(batchContext: unknown, callContext: unknown): JsonObject {
  const base = isJsonObject(batchContext) ? batchContext : {};
  const own = isJsonObject(callContext) ? callContext : {};
  const { ip: _ip, ...merged } = merge(base, own);
  return merged;
}
