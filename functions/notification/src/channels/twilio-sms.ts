// SMS through Twilio's Messages API (form POST, basic auth with the account SID and auth token).
import { type Channel, ChannelError } from './channel.js';

/** Twilio settings, from NOTIFICATION_SMS_TWILIO_* (main.ts). */
export interface TwilioSettings {
  accountSid: string;
  authToken: string;
  /** The sender: an E.164 number or a messaging service SID (`MG…`). */
  from: string;
  /** Default: Twilio's API; tests point it at a stand-in. */
  baseUrl?: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/**
 * An SMS channel on Twilio. The text part is sent (SMS has no HTML); a 4xx answer other than
 * 429 is permanent, 429, 5xx and network failures are retried.
 * @example const sms = createTwilioSmsChannel({ accountSid, authToken, from: '+4930123456' });
 */
export function createTwilioSmsChannel(settings: TwilioSettings): Channel {
  const base = settings.baseUrl ?? 'https://api.twilio.com';
  const doFetch = settings.fetch ?? fetch;
  const url = `${base}/2010-04-01/Accounts/${encodeURIComponent(settings.accountSid)}/Messages.json`;
  const authorization = `Basic ${Buffer.from(`${settings.accountSid}:${settings.authToken}`).toString('base64')}`;
  return {
    name: 'sms',
    async send(message) {
      const form = new URLSearchParams({ To: message.to, Body: message.text });
      form.set(settings.from.startsWith('MG') ? 'MessagingServiceSid' : 'From', settings.from);
      let response: Response;
      try {
        response = await doFetch(url, {
          method: 'POST',
          headers: {
            authorization,
            'content-type': 'application/x-www-form-urlencoded',
          },
          body: form,
          redirect: 'error',
          signal: AbortSignal.timeout(settings.timeoutMs ?? 10_000),
        });
      } catch (error) {
        throw new ChannelError(`Twilio unreachable: ${(error as Error).message}`, false, {
          cause: error,
        });
      }
      if (!response.ok) {
        const permanent =
          response.status >= 400 && response.status < 500 && response.status !== 429;
        throw new ChannelError(`Twilio answered ${response.status}`, permanent);
      }
      const body = (await response.json().catch(() => ({}))) as { sid?: unknown };
      return { providerMessageId: typeof body.sid === 'string' ? body.sid : null };
    },
  };
}
