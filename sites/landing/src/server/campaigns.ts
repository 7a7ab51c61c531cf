// Campaign lookup by the page's path parameter: only ids a campaign folder could have are asked.
import { getCollection } from 'astro:content';
import type { Locale } from './i18n.js';

/** The campaign `id` in `locale`, or undefined (unknown, or not an id at all). */
export async function campaignEntry(id: string | undefined, locale: Locale) {
  if (!id || !/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(id) || id.length > 80) return undefined;
  // A filter, not getEntry: an unknown id is a plain 404, not a warning in the log.
  const [entry] = await getCollection(
    'campaigns',
    (candidate: { id: string }) => candidate.id === `${id}/${locale}`,
  );
  return entry;
}
