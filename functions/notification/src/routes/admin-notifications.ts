// GET /api/admin/notifications, POST /api/admin/notifications/{id}/resend — staff see the
// messages that failed after their last retry (or any status) and send one again
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import {
  cursorFingerprint,
  decodeOpaqueCursor,
  encodeOpaqueCursor,
  Problem,
  problemResponses,
  requirePermission,
  type ServiceEnv,
} from '@shop/shared';
import type { NotificationDeps } from '../deps.js';
import { listMessages, requeueFailedMessage, type StoredMessage } from '../store.js';

const STATUSES = ['failed', 'pending', 'sending', 'sent', 'suppressed'] as const;

const ListQuery = z.object({
  status: z.enum(STATUSES).default('failed'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(1000).optional(),
});

const NotificationSchema = z
  .object({
    id: z.uuid(),
    status: z.enum(STATUSES),
    channel: z.enum(['email', 'sms', 'push']),
    category: z.enum(['transactional', 'marketing']),
    template: z.string().openapi({ example: 'receipt' }),
    locale: z.string(),
    userId: z.uuid().nullable(),
    recipient: z
      .string()
      .nullable()
      .openapi({ description: 'Masked (a***@example.com); null once the user was erased.' }),
    attempts: z.int(),
    lastError: z.string().nullable(),
    suppressedReason: z.string().nullable(),
    nextAttemptAt: z.string().nullable(),
    cause: z.object({ type: z.string(), source: z.string(), id: z.string() }),
    createdAt: z.string(),
    updatedAt: z.string(),
    sentAt: z.string().nullable(),
  })
  .openapi('Notification');

const listRoute = createRoute({
  method: 'get',
  path: '/api/admin/notifications',
  tags: ['staff'],
  summary: 'Messages by status, newest first (default: failed after the last retry)',
  request: { query: ListQuery },
  responses: {
    200: {
      description: 'A page',
      content: {
        'application/json': {
          schema: z.object({
            items: z.array(NotificationSchema),
            nextCursor: z.string().nullable(),
          }),
        },
      },
    },
    ...problemResponses({ 400: 'Invalid query or cursor', 401: 'Not signed in', 403: 'Not staff' }),
  },
});

const resendRoute = createRoute({
  method: 'post',
  path: '/api/admin/notifications/{id}/resend',
  tags: ['staff'],
  summary: 'Send a failed message again (a fresh set of retries)',
  request: { params: z.object({ id: z.uuid() }) },
  responses: {
    202: {
      description: 'Queued; the dispatcher sends it now',
      content: { 'application/json': { schema: NotificationSchema } },
    },
    ...problemResponses({
      400: 'Invalid id',
      401: 'Not signed in',
      403: 'Not staff',
      404: 'No such message',
      409: 'Not failed, or its user was erased',
    }),
  },
});

/** An address as staff see it: enough to recognise, not to harvest. */
export function maskAddress(address: string | null): string | null {
  if (address === null) return null;
  const at = address.lastIndexOf('@');
  if (at > 0) return `${address[0]}***${address.slice(at)}`;
  return address.length > 4 ? `***${address.slice(-4)}` : '***';
}

const toJson = (m: StoredMessage) => ({
  id: m.id,
  status: m.status,
  channel: m.channel,
  category: m.category,
  template: m.template,
  locale: m.locale,
  userId: m.userId,
  recipient: maskAddress(m.recipient),
  attempts: m.attempts,
  lastError: m.lastError,
  suppressedReason: m.suppressedReason,
  nextAttemptAt: m.nextAttemptAt?.toISOString() ?? null,
  cause: { type: m.causeType, source: m.causeSource, id: m.causeId },
  createdAt: m.createdAt.toISOString(),
  updatedAt: m.updatedAt.toISOString(),
  sentAt: m.sentAt?.toISOString() ?? null,
});

const CursorPayload = z.object({
  v: z.literal(1),
  f: z.string(),
  u: z.iso.datetime(),
  i: z.uuid(),
});

/** Registers the staff routes of notification (the kit answers non-staff before them). */
export function registerAdminNotificationRoutes(
  app: OpenAPIHono<ServiceEnv>,
  deps: NotificationDeps,
): void {
  app.openapi(listRoute, async (c) => {
    requirePermission(c, 'notifications:read');
    const query = c.req.valid('query');
    const fingerprint = cursorFingerprint([query.status]);
    let after: { updatedAt: Date; id: string } | undefined;
    if (query.cursor) {
      const parsed = CursorPayload.safeParse(decodeOpaqueCursor(query.cursor));
      if (!parsed.success || parsed.data.f !== fingerprint) {
        throw new Problem(400, 'The cursor is not one this list gave out (or the filter changed).');
      }
      after = { updatedAt: new Date(parsed.data.u), id: parsed.data.i };
    }
    const rows = await listMessages(deps.db, {
      status: query.status,
      ...(after && { after }),
      limit: query.limit + 1,
    });
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    const nextCursor =
      rows.length > query.limit && last
        ? encodeOpaqueCursor({ v: 1, f: fingerprint, u: last.updatedAt.toISOString(), i: last.id })
        : null;
    return c.json({ items: page.map(toJson), nextCursor }, 200);
  });

  app.openapi(resendRoute, async (c) => {
    requirePermission(c, 'notifications:resend');
    const { id } = c.req.valid('param');
    const outcome = await requeueFailedMessage(deps.db, id, deps.clock());
    if (!outcome) throw new Problem(404, 'No message has this id.');
    if (!outcome.requeued) {
      throw new Problem(
        409,
        outcome.message.recipient === null
          ? 'Its user was erased: there is no address to send to.'
          : `The message is ${outcome.message.status}, not failed.`,
      );
    }
    c.get('log').info({ notificationId: id }, 'staff resend: message queued again');
    deps.dispatcher.wake();
    return c.json(toJson(outcome.message), 202);
  });
}
