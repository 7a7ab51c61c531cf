// Push through the Web Push protocol (RFC 8030, VAPID RFC 8292, payload encryption RFC 8291)
// with the web-push library: the address is the browser's PushSubscription as JSON.
import webPush from 'web-push';
import { type Channel, ChannelError } from './channel.js';

/** VAPID settings, from NOTIFICATION_PUSH_VAPID_* (main.ts). */
export interface VapidSettings {
  /** `mailto:` or `https:` contact the push services may reach. */
  subject: string;
  publicKey: string;
  privateKey: string;
  timeoutMs?: number;
}

/**
 * A push channel: sends `{ title, body }` to a subscription. 404 and 410 (the subscription is
 * gone) and other 4xx are permanent; 429 and 5xx are retried.
 * @example const push = createWebPushChannel({ subject: 'mailto:ops@shop.example', publicKey, privateKey });
 */
export function createWebPushChannel(settings: VapidSettings): Channel {
  return {
    name: 'push',
    async send(message) {
      let subscription: webPush.PushSubscription;
      try {
        subscription = JSON.parse(message.to) as webPush.PushSubscription;
      } catch {
        throw new ChannelError('the push address is not a PushSubscription', true);
      }
      try {
        const result = await webPush.sendNotification(
          subscription,
          JSON.stringify({ title: message.subject, body: message.text }),
          {
            vapidDetails: settings,
            TTL: 24 * 3600,
            timeout: settings.timeoutMs ?? 10_000,
            headers: { Topic: message.id.replaceAll('-', '').slice(0, 32) },
          },
        );
        return { providerMessageId: result.headers.location ?? null };
      } catch (error) {
        const status = (error as { statusCode?: unknown }).statusCode;
        const permanent =
          typeof status === 'number' && status >= 400 && status < 500 && status !== 429;
        throw new ChannelError(
          `push failed${typeof status === 'number' ? ` (${status})` : ''}`,
          permanent,
          { cause: error },
        );
      }
    },
  };
}
