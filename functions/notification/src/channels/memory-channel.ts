// The dev adapter of SMS and push: keeps what was "sent" in memory and logs it (no provider,
// no cost), so `npm run dev` and tests can read it.
import type { Logger } from '@shop/shared';
import type { Channel, OutgoingMessage } from './channel.js';

/** A channel that delivers into a list; `sent` holds the newest `keep` messages. */
export interface MemoryChannel extends Channel {
  readonly sent: OutgoingMessage[];
}

/**
 * A dev channel for `name`.
 * @example const sms = createMemoryChannel('sms', { log }); await sms.send(message); sms.sent[0];
 */
export function createMemoryChannel(
  name: 'email' | 'sms' | 'push',
  options: { log?: Logger; keep?: number } = {},
): MemoryChannel {
  const keep = options.keep ?? 500;
  const sent: OutgoingMessage[] = [];
  return {
    name,
    sent,
    async send(message) {
      sent.push(message);
      if (sent.length > keep) sent.splice(0, sent.length - keep);
      options.log?.info(
        { channel: name, id: message.id, subject: message.subject },
        'dev channel: message kept',
      );
      return { providerMessageId: `dev-${message.id}` };
    },
  };
}
