// A new click's id, derived instead of drawn: from the link, the visitor and the window the click
// falls in, under the day's visitor key. The same visitor clicking again within that window gets
// the same id on any instance without a lookup (one without cookies too), and the id tells
// nothing about the visitor. A version 8 UUID (RFC 9562 §5.8), which the catalog's z.uuid() takes.
import { hashVisitor } from './hash-visitor.js';

/** @example deriveClickId(secret, link.id, visitorId ?? agentKey, new Date(), 3600) */
export function deriveClickId(
  secret: string,
  linkId: string,
  visitorKey: string,
  at: Date,
  windowSeconds: number,
): string {
  const window = Math.floor(at.getTime() / 1000 / windowSeconds);
  const hex = hashVisitor(secret, `click\n${linkId}\n${visitorKey}\n${window}`, at);
  const version = ((Number.parseInt(hex.slice(12, 14), 16) & 0x0f) | 0x80).toString(16);
  const variant = ((Number.parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${version}${hex.slice(14, 16)}-${variant}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
}
