// GET/POST /api/notifications/unsubscribe?token= — RFC 8058 one-click unsubscribe from
// marketing mail. Mail clients POST `List-Unsubscribe=One-Click`; a person following the link
// gets a page with a button (GET changes nothing: link scanners fetch every URL of a mail).
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { Problem, problemResponses, type ServiceEnv } from '@shop/shared';
import { html } from 'hono/html';
import type { NotificationDeps } from '../deps.js';
import { verifyUnsubscribeToken } from '../domain/unsubscribe-token.js';
import { unsubscribeMarketing } from '../store.js';

const Query = z.object({
  token: z.string().min(1).max(200).openapi({ description: 'The signed token of the link' }),
});

const pageRoute = createRoute({
  method: 'get',
  path: '/api/notifications/unsubscribe',
  tags: ['notifications'],
  summary: 'The page behind the unsubscribe link: one button, no change yet',
  request: { query: Query },
  responses: {
    200: { description: 'The confirmation page', content: { 'text/html': { schema: z.string() } } },
    ...problemResponses({ 400: 'Not a valid unsubscribe link' }),
  },
});

const postRoute = createRoute({
  method: 'post',
  path: '/api/notifications/unsubscribe',
  tags: ['notifications'],
  summary: 'Unsubscribe from marketing mail (RFC 8058 one-click)',
  description:
    'Transactional mail (receipts, password resets) keeps coming: it is not marketing. An ' +
    'erased or unknown user is answered alike.',
  request: { query: Query },
  responses: {
    200: { description: 'Unsubscribed', content: { 'text/html': { schema: z.string() } } },
    ...problemResponses({ 400: 'Not a valid unsubscribe link' }),
  },
});

const page = (title: string, body: ReturnType<typeof html>) =>
  html`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body style="font-family:Arial,Helvetica,sans-serif;max-width:480px;margin:40px auto"><h1>${title}</h1>${body}</body></html>`;

/** Registers the unsubscribe routes (public, reached through the gateway). */
export function registerUnsubscribeRoutes(
  app: OpenAPIHono<ServiceEnv>,
  deps: NotificationDeps,
): void {
  const userOf = (token: string) => {
    const userId = verifyUnsubscribeToken(deps.unsubscribeSecret, token);
    if (!userId) throw new Problem(400, 'This unsubscribe link is not valid.');
    return userId;
  };
  app.openapi(pageRoute, async (c) => {
    const { token } = c.req.valid('query');
    userOf(token);
    const action = `/api/notifications/unsubscribe?token=${encodeURIComponent(token)}`;
    return c.html(
      await page(
        'Unsubscribe from news and offers',
        html`<p>You will no longer get news and offers by mail. Receipts and account mails still come.</p>
<form method="post" action="${action}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form>`,
      ),
      200,
    );
  });
  app.openapi(postRoute, async (c) => {
    const { token } = c.req.valid('query');
    const userId = userOf(token);
    await unsubscribeMarketing(deps.db, userId, deps.clock());
    c.get('log').info({ userId }, 'unsubscribed from marketing mail');
    return c.html(
      await page(
        'You are unsubscribed',
        html`<p>No more news and offers will be mailed to you.</p>`,
      ),
      200,
    );
  });
}
