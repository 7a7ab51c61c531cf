// SQL of the notification schema: recipients, erased users, messages and their delivery state.
import { createHash } from 'node:crypto';
import type { Queryable } from '@shop/shared';
import type { Recipient } from './domain/plan-messages.js';
import type { Category, TemplateName } from './templates/templates.js';

export type MessageStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'suppressed';
export type SuppressedReason = 'erased' | 'no_consent' | 'no_recipient';

/** A message row. */
export interface StoredMessage {
  id: string;
  causeType: string;
  causeSource: string;
  causeId: string;
  userId: string | null;
  channel: 'email' | 'sms' | 'push';
  category: Category;
  template: TemplateName;
  locale: string;
  recipient: string | null;
  payload: Record<string, unknown>;
  status: MessageStatus;
  attempts: number;
  nextAttemptAt: Date | null;
  lastError: string | null;
  suppressedReason: SuppressedReason | null;
  providerMessageId: string | null;
  createdAt: Date;
  updatedAt: Date;
  sentAt: Date | null;
}

interface MessageRow {
  id: string;
  cause_type: string;
  cause_source: string;
  cause_id: string;
  user_id: string | null;
  channel: StoredMessage['channel'];
  category: Category;
  template: TemplateName;
  locale: string;
  recipient: string | null;
  payload: Record<string, unknown>;
  status: MessageStatus;
  attempts: number;
  next_attempt_at: Date | null;
  last_error: string | null;
  suppressed_reason: SuppressedReason | null;
  provider_message_id: string | null;
  created_at: Date;
  updated_at: Date;
  sent_at: Date | null;
}

const toMessage = (row: MessageRow): StoredMessage => ({
  id: row.id,
  causeType: row.cause_type,
  causeSource: row.cause_source,
  causeId: row.cause_id,
  userId: row.user_id,
  channel: row.channel,
  category: row.category,
  template: row.template,
  locale: row.locale,
  recipient: row.recipient,
  payload: row.payload,
  status: row.status,
  attempts: row.attempts,
  nextAttemptAt: row.next_attempt_at,
  lastError: row.last_error,
  suppressedReason: row.suppressed_reason,
  providerMessageId: row.provider_message_id,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  sentAt: row.sent_at,
});

/**
 * The idempotency key of (event, channel, recipient): the address enters as a digest, so the
 * key outlives an erasure without keeping the address.
 * @example idempotencyKey({ source: '/shop/cart', id: 'e1' }, 'email', 'ana@example.com')
 */
export function idempotencyKey(
  event: { source: string; id: string },
  channel: string,
  address: string,
): string {
  const digest = createHash('sha256').update(address.trim().toLowerCase()).digest('base64url');
  return `${event.source}|${event.id}|${channel}|${digest}`;
}

/** Whether the user was erased (nothing is stored or sent for them again). */
export async function isErased(db: Queryable, userId: string): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM notification.erased_user WHERE user_id = $1', [
    userId,
  ]);
  return rows.length > 0;
}

/** Records or refreshes a recipient (sign-up); an erased user is not stored again. */
export async function upsertRecipient(
  tx: Queryable,
  recipient: Recipient,
  now: Date,
): Promise<void> {
  await tx.query(
    `INSERT INTO notification.recipient (user_id, email, display_name, locale, marketing_consent, updated_at)
     SELECT $1, $2, $3, $4, $5, $6
     WHERE NOT EXISTS (SELECT 1 FROM notification.erased_user WHERE user_id = $1)
     ON CONFLICT (user_id) DO UPDATE SET email = excluded.email,
       display_name = excluded.display_name, locale = excluded.locale,
       marketing_consent = excluded.marketing_consent AND notification.recipient.unsubscribed_at IS NULL,
       updated_at = excluded.updated_at`,
    [
      recipient.userId,
      recipient.email,
      recipient.displayName,
      recipient.locale,
      recipient.marketingConsent,
      now,
    ],
  );
}

/** Moves a recipient to a new address (a confirmed email change). */
export async function updateRecipientEmail(
  tx: Queryable,
  userId: string,
  email: string,
  now: Date,
): Promise<void> {
  await tx.query(
    'UPDATE notification.recipient SET email = $2, updated_at = $3 WHERE user_id = $1',
    [userId, email, now],
  );
}

/** The recipient notification keeps for a user. */
export async function findRecipient(db: Queryable, userId: string): Promise<Recipient | undefined> {
  const { rows } = await db.query<{
    user_id: string;
    email: string;
    display_name: string | null;
    locale: string | null;
    marketing_consent: boolean;
  }>(
    `SELECT user_id, email, display_name, locale, marketing_consent
     FROM notification.recipient WHERE user_id = $1`,
    [userId],
  );
  const row = rows[0];
  return (
    row && {
      userId: row.user_id,
      email: row.email,
      displayName: row.display_name,
      locale: row.locale,
      marketingConsent: row.marketing_consent,
    }
  );
}

/** One-click unsubscribe: marketing consent off for good (until the user opts in again). */
export async function unsubscribeMarketing(
  db: Queryable,
  userId: string,
  now: Date,
): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE notification.recipient SET marketing_consent = false,
       unsubscribed_at = coalesce(unsubscribed_at, $2), updated_at = $2
     WHERE user_id = $1`,
    [userId, now],
  );
  return rowCount === 1;
}

/**
 * Erasure: the recipient row goes, every message of the user loses its address and payload,
 * unsent ones are suppressed, and the id is remembered so nothing is stored for it again.
 */
export async function eraseUser(tx: Queryable, userId: string, now: Date): Promise<void> {
  await tx.query(
    `INSERT INTO notification.erased_user (user_id, erased_at) VALUES ($1, $2)
     ON CONFLICT (user_id) DO NOTHING`,
    [userId, now],
  );
  await tx.query('DELETE FROM notification.recipient WHERE user_id = $1', [userId]);
  await tx.query(
    `UPDATE notification.message SET recipient = NULL, payload = '{}'::jsonb, updated_at = $2,
       status = CASE WHEN status = 'sent' THEN 'sent' ELSE 'suppressed' END,
       suppressed_reason = CASE WHEN status = 'sent' THEN suppressed_reason ELSE 'erased' END,
       next_attempt_at = NULL, lease_until = NULL
     WHERE user_id = $1`,
    [userId, now],
  );
}

/** Stores a message to send unless its key exists; true when it was new. */
export async function insertMessage(
  tx: Queryable,
  message: {
    id: string;
    key: string;
    cause: { type: string; source: string; id: string };
    userId: string | null;
    channel: StoredMessage['channel'];
    category: Category;
    template: TemplateName;
    locale: string;
    recipient: string;
    payload: unknown;
    now: Date;
  },
): Promise<boolean> {
  const { rowCount } = await tx.query(
    `INSERT INTO notification.message (id, idempotency_key, cause_type, cause_source, cause_id,
       user_id, channel, category, template, locale, recipient, payload, status, next_attempt_at,
       created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'pending', $13, $13, $13)
     ON CONFLICT (idempotency_key) DO NOTHING`,
    [
      message.id,
      message.key,
      message.cause.type,
      message.cause.source,
      message.cause.id,
      message.userId,
      message.channel,
      message.category,
      message.template,
      message.locale,
      message.recipient,
      JSON.stringify(message.payload),
      message.now,
    ],
  );
  return rowCount === 1;
}

const COLUMNS = `id, cause_type, cause_source, cause_id, user_id, channel, category, template,
  locale, recipient, payload, status, attempts, next_attempt_at, last_error, suppressed_reason,
  provider_message_id, created_at, updated_at, sent_at`;

/**
 * Claims up to `limit` due messages for sending: pending ones whose time came, and sends whose
 * lease ran out (their process died mid-send). Each claim counts an attempt and takes a lease;
 * SKIP LOCKED lets replicas share the work without sending one message twice at once.
 */
export async function claimDueMessages(
  db: Queryable,
  now: Date,
  leaseMs: number,
  limit: number,
): Promise<StoredMessage[]> {
  const { rows } = await db.query<MessageRow>(
    `UPDATE notification.message SET status = 'sending', attempts = attempts + 1,
       lease_until = $1::timestamptz + make_interval(secs => $2::double precision / 1000),
       updated_at = $1
     WHERE id IN (
       SELECT id FROM notification.message
       WHERE status IN ('pending', 'sending') AND next_attempt_at <= $1
         AND (status = 'pending' OR lease_until <= $1)
       ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED
     )
     RETURNING ${COLUMNS}`,
    [now, leaseMs, limit],
  );
  return rows.map(toMessage);
}

/** The result of a send: sent (with the provider's id). */
export async function markSent(
  tx: Queryable,
  id: string,
  providerMessageId: string | null,
  now: Date,
): Promise<boolean> {
  const { rowCount } = await tx.query(
    `UPDATE notification.message SET status = 'sent', sent_at = $3, provider_message_id = $2,
       last_error = NULL, lease_until = NULL, next_attempt_at = NULL, updated_at = $3
     WHERE id = $1 AND status = 'sending'`,
    [id, providerMessageId, now],
  );
  return rowCount === 1;
}

/** A failed try: due again at `retryAt`, or `failed` for good when that is null. */
export async function markAttemptFailed(
  db: Queryable,
  id: string,
  error: string,
  retryAt: Date | null,
  now: Date,
): Promise<void> {
  await db.query(
    `UPDATE notification.message SET status = $3, last_error = $2, next_attempt_at = $4,
       lease_until = NULL, updated_at = $5
     WHERE id = $1 AND status = 'sending'`,
    [id, error.slice(0, 1000), retryAt ? 'pending' : 'failed', retryAt, now],
  );
}

/** Not sent, and never will be: the user was erased, withdrew consent, or has no address. */
export async function markSuppressed(
  db: Queryable,
  id: string,
  reason: SuppressedReason,
  now: Date,
): Promise<void> {
  await db.query(
    `UPDATE notification.message SET status = 'suppressed', suppressed_reason = $2,
       lease_until = NULL, next_attempt_at = NULL, updated_at = $3
     WHERE id = $1 AND status = 'sending'`,
    [id, reason, now],
  );
}

/** One message by id. */
export async function findMessage(db: Queryable, id: string): Promise<StoredMessage | undefined> {
  const { rows } = await db.query<MessageRow>(
    `SELECT ${COLUMNS} FROM notification.message WHERE id = $1`,
    [id],
  );
  return rows[0] && toMessage(rows[0]);
}

/** A page of messages of one status, newest first, after the cursor (updated_at, id). */
export async function listMessages(
  db: Queryable,
  filter: { status: MessageStatus; after?: { updatedAt: Date; id: string }; limit: number },
): Promise<StoredMessage[]> {
  const { rows } = await db.query<MessageRow>(
    `SELECT ${COLUMNS} FROM notification.message
     WHERE status = $1 AND ($2::timestamptz IS NULL OR (updated_at, id) < ($2::timestamptz, $3::uuid))
     ORDER BY updated_at DESC, id DESC LIMIT $4`,
    [filter.status, filter.after?.updatedAt ?? null, filter.after?.id ?? null, filter.limit],
  );
  return rows.map(toMessage);
}

/**
 * Staff's resend of a failed message: due now, with a fresh set of attempts. Undefined when it
 * does not exist; the row unchanged when it is not `failed` or has no address any more.
 */
export async function requeueFailedMessage(
  db: Queryable,
  id: string,
  now: Date,
): Promise<{ requeued: boolean; message: StoredMessage } | undefined> {
  const { rows } = await db.query<MessageRow>(
    `UPDATE notification.message SET status = 'pending', attempts = 0, next_attempt_at = $2,
       last_error = NULL, updated_at = $2
     WHERE id = $1 AND status = 'failed' AND recipient IS NOT NULL
     RETURNING ${COLUMNS}`,
    [id, now],
  );
  if (rows[0]) return { requeued: true, message: toMessage(rows[0]) };
  const message = await findMessage(db, id);
  return message && { requeued: false, message };
}
