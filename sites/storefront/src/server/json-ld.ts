// Structured data in a page: JSON inside <script type="application/ld+json">, where a product
// text containing "</script>" must not end the element.

/**
 * `value` as JSON safe to put inside a script element (`<` escaped as `\u003c`, and the line
 * separators JavaScript parsers once choked on).
 * @example jsonLdText({ name: '</script>' }) // '{"name":"\\u003c/script>"}'
 */
export function jsonLdText(value: unknown): string {
  return JSON.stringify(value)
    .replaceAll('<', '\\u003c')
    .replaceAll('\u2028', '\\u2028')
    .replaceAll('\u2029', '\\u2029');
}
