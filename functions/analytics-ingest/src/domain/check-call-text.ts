// The catalog's text rule on the string fields of a normalised call, without zod: zod parsing
// of the whole schema costs ~40 µs a call, a third of the ingest's CPU per event, and
// everything else in the data is right by construction (normalize-call.ts). The catalog test
// (check-call-text.test.ts) holds this check and the catalog schema to the same answers.
import { isCleanText } from '@shop/shared';
import type { NormalizedCall } from './normalize-call.js';

const ID_MAX = 200;
const NAME_MAX = 500;

function badId(name: string, value: string | null, nullable: boolean): string | undefined {
  if (value === null) return nullable ? undefined : `${name}: is required`;
  if (value.length < 1 || value.length > ID_MAX) return `${name}: must be 1–${ID_MAX} characters`;
  return isCleanText(value) ? undefined : `${name}: holds control characters or lone surrogates`;
}

function badName(name: string, value: string | null): string | undefined {
  if (value === null) return undefined;
  if (value.length > NAME_MAX) return `${name}: must be at most ${NAME_MAX} characters`;
  return isCleanText(value) ? undefined : `${name}: holds control characters or lone surrogates`;
}

/**
 * Why the catalog would refuse the call's strings, or undefined when it would take them.
 * @example checkCallText(call) // 'userId: must be 1–200 characters'
 */
export function checkCallText(call: NormalizedCall): string | undefined {
  const d = call.data;
  const common =
    badId('messageId', d.messageId, false) ??
    badId('visitorKey', d.visitorKey, false) ??
    badId('anonymousId', d.anonymousId, true) ??
    badId('userId', d.userId, true);
  if (common) return common;
  switch (call.type) {
    case 'track':
      return badId('event', call.data.event, false);
    case 'page':
    case 'screen':
      return badName('name', call.data.name) ?? badName('category', call.data.category);
    case 'group':
      return badId('groupId', call.data.groupId, false);
    case 'alias':
      return badId('previousId', call.data.previousId, false);
    case 'identify':
      return undefined;
  }
}
