// Segment clients authenticate with the source's write key: HTTP Basic with the key as the
// user name and an empty password (`writeKey:`), or a `writeKey` field in the body.

const MAX_WRITE_KEY_LENGTH = 200;

/**
 * The write key of a request: Basic credentials first, else the body's `writeKey`; undefined
 * when neither holds a usable one.
 * @example parseWriteKey(`Basic ${btoa('wk_abc:')}`, undefined) // 'wk_abc'
 */
export function parseWriteKey(
  authorization: string | undefined,
  bodyWriteKey: unknown,
): string | undefined {
  if (authorization) {
    const match = /^Basic[ ]+([A-Za-z0-9+/=_-]+)[ ]*$/i.exec(authorization);
    if (match) {
      const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      const user = colon === -1 ? decoded : decoded.slice(0, colon);
      if (isUsableKey(user)) return user;
    }
  }
  return typeof bodyWriteKey === 'string' && isUsableKey(bodyWriteKey) ? bodyWriteKey : undefined;
}

function isUsableKey(key: string): boolean {
  return key.length > 0 && key.length <= MAX_WRITE_KEY_LENGTH && /^[\x21-\x7e]+$/.test(key);
}
