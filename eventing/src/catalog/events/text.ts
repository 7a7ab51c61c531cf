// The string fields of event data follow the kit's text rule: well-formed Unicode, no control
// characters, bounded. A consumer that stores them in PostgreSQL then never meets a value the
// database refuses, and a malformed event is refused by the receiver (400) instead of failing.
import { type TextOptions, text } from '@shop/shared';

/**
 * A string in event data: at most `max` (default 2000) characters, not trimmed, empty allowed
 * unless `min` says otherwise; `multiline` allows tab and line breaks (free-text reasons).
 * @example schema: z.object({ slug: eventText({ min: 1, max: 200 }), reason: eventText({ multiline: true }).nullable() })
 */
export function eventText(options: Partial<TextOptions> = {}) {
  return text({ max: 2000, min: 0, ...options, trim: false });
}
