// Erasure in the read models. Reports count people but never name them, so an erased person's
// ids are not deleted (sessions, the funnel and experiments would change after the fact) but
// replaced by random pseudonyms, one per id, consistently across tables and forgotten at once:
// nothing in the schema leads from the person to them. Money facts hold no person and stay as
// they are. The SHA-256 of each erased id is kept, so a later event about them is not taken in.
import { createHash, randomUUID } from 'node:crypto';
import type { Queryable } from '@shop/shared';

const ERASURE_LOCK = 'reporting:erasure';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The SHA-256 (hex) an erased id is remembered by. */
export const digestOf = (id: string): string => createHash('sha256').update(id).digest('hex');

/**
 * Writers of ids take this lock shared and an erasure takes it exclusive: an event in flight
 * either commits before the erasure (and is pseudonymised with the rest) or sees its tombstone.
 */
export async function lockAgainstErasure(tx: Queryable): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock_shared(hashtextextended($1, 0))', [ERASURE_LOCK]);
}

/** Those of `ids` that belong to an erased person. */
export async function erasedAmong(
  tx: Queryable,
  ids: readonly (string | null)[],
): Promise<Set<string>> {
  const named = [...new Set(ids.filter((id): id is string => !!id))];
  if (named.length === 0) return new Set();
  const { rows } = await tx.query<{ digest: string }>(
    'SELECT digest FROM reporting.erased_ids WHERE digest = ANY($1::text[])',
    [named.map(digestOf)],
  );
  const erased = new Set(rows.map((r) => r.digest));
  return new Set(named.filter((id) => erased.has(digestOf(id))));
}

// The part of a visitor key (`<sourceId>:<anonymousId or userId>`) after the source: a source
// id is a UUID, so the first colon ends it.
const VISITOR_ID = "substr(visitor_key, strpos(visitor_key, ':') + 1)";
const RENAMED_VISITOR = `split_part(visitor_key, ':', 1) || ':' || m.pseudonym`;

/**
 * Replaces `ids` by fresh pseudonyms in every read model and remembers their digests.
 * @example await eraseIdentities(tx, [userId, 'anon-1'], new Date());
 */
export async function eraseIdentities(
  tx: Queryable,
  ids: readonly string[],
  erasedAt: Date,
): Promise<void> {
  const olds = [...new Set(ids)].filter((id) => id.length > 0).sort();
  if (olds.length === 0) return;
  const news = olds.map(() => randomUUID());
  const mapping = 'unnest($1::text[], $2::text[]) AS m(original, pseudonym)';
  for (const [i, old] of olds.entries()) {
    if (!UUID.test(old)) continue;
    await tx.query('UPDATE reporting.orders SET user_id = $2 WHERE user_id = $1', [old, news[i]]);
  }
  await tx.query(
    `UPDATE reporting.identities i
        SET anonymous_id = coalesce((SELECT m.pseudonym FROM ${mapping} WHERE m.original = i.anonymous_id), i.anonymous_id),
            user_id = coalesce((SELECT m.pseudonym FROM ${mapping} WHERE m.original = i.user_id), i.user_id)
      WHERE i.anonymous_id = ANY($1::text[]) OR i.user_id = ANY($1::text[])`,
    [olds, news],
  );
  await tx.query(
    `UPDATE reporting.tracks t
        SET anonymous_id = coalesce((SELECT m.pseudonym FROM ${mapping} WHERE m.original = t.anonymous_id), t.anonymous_id),
            user_id = coalesce((SELECT m.pseudonym FROM ${mapping} WHERE m.original = t.user_id), t.user_id)
      WHERE t.anonymous_id = ANY($1::text[]) OR t.user_id = ANY($1::text[])`,
    [olds, news],
  );
  for (const table of ['tracks', 'page_views']) {
    await tx.query(
      `UPDATE reporting.${table} SET visitor_key = ${RENAMED_VISITOR}
         FROM ${mapping} WHERE ${VISITOR_ID} = m.original`,
      [olds, news],
    );
  }
  await tx.query(
    `INSERT INTO reporting.erased_ids (digest, erased_at)
     SELECT d, $2 FROM unnest($1::text[]) AS d ON CONFLICT (digest) DO NOTHING`,
    [olds.map(digestOf), erasedAt],
  );
}

/**
 * shop.user.erased: the user id and every anonymous id analytics tied to it are erased.
 * @example await eraseUser(tx, { userId, erasedAt });
 */
export async function eraseUser(
  tx: Queryable,
  data: { userId: string; erasedAt: string },
): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [ERASURE_LOCK]);
  const { rows } = await tx.query<{ id: string }>(
    `SELECT anonymous_id AS id FROM reporting.identities WHERE user_id = $1
     UNION SELECT anonymous_id FROM reporting.tracks WHERE user_id = $1 AND anonymous_id IS NOT NULL`,
    [data.userId],
  );
  await eraseIdentities(tx, [data.userId, ...rows.map((r) => r.id)], new Date(data.erasedAt));
}
