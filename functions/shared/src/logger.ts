import { type Logger, pino } from 'pino';

export type { Logger } from 'pino';

/** What a redacted value becomes. */
export const REDACTED = '[redacted]';

// Exact paths for pino's redaction, which also reaches values that are not strings (a
// `credentials` object, a `set-cookie` array under `headers`). No wildcards: each `*` path makes
// pino walk every log object (20 of them cost ~8 µs a line); string values at any depth are the
// line scrubber's.
const SECRET_KEYS = [
  'password',
  'secret',
  'secrets',
  'token',
  'accessToken',
  'refreshToken',
  'apiKey',
  'authorization',
  'cookie',
  'credentials',
];
const SECRET_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie'];
const REDACT_PATHS = [
  ...SECRET_KEYS,
  ...SECRET_HEADERS.flatMap((name) =>
    ['headers', 'req.headers', 'res.headers'].map((at) => `${at}["${name}"]`),
  ),
];

// A key is secret when it contains `password`, ends in secret, token, api key, authorization,
// cookie, signature, credential or private key (`refreshToken`, `set-cookie`, `X_Api_Key`; not
// `tokenType` nor `defaultAuthorizationMode`), or is `pass`/`pwd`; case-insensitive.
const SECRET_KEY =
  '[^"\\\\]*passw(?:or)?d[^"\\\\]*|[^"\\\\]*(?:secret|token|api[-_]?key|authorization|cookie|signature|credential|private[-_]?key)s?|pass|pwd';
/** Whether a line names a secret at all: one quick scan before the key rules run. */
const MAY_NAME_SECRET =
  /passw|secret|token|api.?key|authoriz|cookie|signature|credential|private.?key|"pass|"pwd/i;
/** `"password":"…"` in the JSON line, at any depth; also an array of strings or a number. */
const SECRET_PAIR = new RegExp(
  `"(${SECRET_KEY})":(?:"(?:[^"\\\\]|\\\\.)*"|\\[(?:"(?:[^"\\\\]|\\\\.)*"|[-\\d.eE+,]|true|false|null)*\\]|-?\\d[\\d.eE+-]*)`,
  'gi',
);
/** The same pair inside a string value that holds JSON (`"msg":"{\"token\":\"…\"}"`). */
const ESCAPED_SECRET_PAIR = new RegExp(`\\\\"(${SECRET_KEY})\\\\":\\s*\\\\"[^"\\\\]*\\\\"`, 'gi');
/** `password=…` in a query string or free text. */
const SECRET_ASSIGNMENT =
  /\b(\w*(?:passw(?:or)?d\w*|secret|token|api[-_]?key|signature))=(?!\[redacted\])[^&\s"\\,;]+/gi;
/**
 * `Bearer eyJ…`, `Basic dXNlcjpw…`: the credential (8 characters or more, so prose such as
 * "Bearer token missing" stays) after an HTTP authorization scheme.
 */
const AUTH_SCHEME = /\b([Bb]earer|BEARER|Basic)\s+(?!\[redacted\])[A-Za-z0-9._~+/=-]{8,}/g;
/** A JWT (JWS or JWE): base64url segments, the first a JSON header (`eyJ` is `{"`). */
const JWT = /\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_.-]*/g;
/** Stripe webhook secrets (`whsec_…`) and API keys (`sk_live_…`, `rk_test_…`). */
const PROVIDER_SECRET = /\b(whsec|(?:sk|rk)_(?:live|test))_(?!\[redacted\])[A-Za-z0-9_+/=-]+/g;
/** A payment intent's client secret (`pi_…_secret_…`): the id stays, the secret goes. */
const CLIENT_SECRET = /(_secret_)(?!\[redacted\])[A-Za-z0-9]+/g;
/**
 * An opaque token: 32 characters or more of base64url with both cases (a refresh token, an API
 * key), e.g. in a path. Hex ids (trace ids), UUIDs, words and a signing key's public `kid` stay.
 */
const LONG_RUN = /(?<![\w-])(?<!"kid":")[\w-]{32,}(?![\w-])/g;
const hidesOpaqueToken = (run: string) => (/[A-Z]/.test(run) && /[a-z]/.test(run) ? REDACTED : run);
/** `scheme://user:password@host`: the password of a connection string. */
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@"\\]*):[^\s/@"\\]+@/gi;
const EMAIL =
  /(?<![A-Za-z0-9._%+-])([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@((?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,})\b/g;
/**
 * 13–19 digits, or groups of four split by spaces or dashes, as a card number is written (not
 * a JSON number field such as a millisecond time, nor a piece of a UUID); masked when Luhn-valid.
 */
const CARD_LIKE =
  /(?<![\w.-])(?<!":)(?:\d{13,19}|\d{4}(?:[ -]\d{4}){2,3}(?:[ -]\d{1,3})?)(?![\w.-])/g;

function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

function maskCard(match: string): string {
  const digits = match.replace(/[ -]/g, '');
  return passesLuhn(digits) ? `${'*'.repeat(digits.length - 4)}${digits.slice(-4)}` : match;
}

/**
 * Removes secrets and personal data from a serialized log line, wherever they are: secret keys
 * at any depth, tokens, webhook secrets and emails in free text, `err.message` and stacks.
 * Each rule runs only when a cheap test says it can match: a plain request line costs about
 * 2 µs (pino itself about 1.5 µs).
 * @example scrubLogLine('{"msg":"login ada@example.com"}') // '{"msg":"login a***@example.com"}'
 */
export function scrubLogLine(line: string): string {
  let out = line;
  if (MAY_NAME_SECRET.test(out)) {
    out = out.replace(SECRET_PAIR, `"$1":"${REDACTED}"`);
    if (out.includes('\\"')) {
      out = out.replace(ESCAPED_SECRET_PAIR, `\\"$1\\":\\"${REDACTED}\\"`);
    }
    if (out.includes('=')) out = out.replace(SECRET_ASSIGNMENT, `$1=${REDACTED}`);
  }
  if (/earer|EARER|Basic/.test(out)) out = out.replace(AUTH_SCHEME, `$1 ${REDACTED}`);
  if (out.includes('eyJ')) out = out.replace(JWT, REDACTED);
  if (out.includes('_')) {
    out = out.replace(PROVIDER_SECRET, `$1_${REDACTED}`).replace(CLIENT_SECRET, `$1${REDACTED}`);
  }
  out = out.replace(LONG_RUN, hidesOpaqueToken);
  if (out.includes('@')) {
    if (out.includes('://')) out = out.replace(URL_PASSWORD, `$1:${REDACTED}@`);
    out = out.replace(EMAIL, '$1***@$2');
  }
  if (/\d{13}|\d{4}[ -]\d{4}/.test(out)) out = out.replace(CARD_LIKE, maskCard);
  return out;
}

/**
 * JSON logs, one object a line, for Loki: `service`, ISO time, level as a word; secrets and
 * personal data redacted (see the README's logger row for the rules).
 * @example const log = createLogger({ service: 'offer', level: config.LOG_LEVEL });
 */
export function createLogger(options: {
  service: string;
  level?: string;
  destination?: pino.DestinationStream;
}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: options.service },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      hooks: { streamWrite: scrubLogLine },
    },
    options.destination,
  );
}

/** A logger that writes nothing, for tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
