import { describe, expect, it } from 'vitest';
import webPush from 'web-push';
import { ChannelError, type OutgoingMessage } from './channel.js';
import { createTwilioSmsChannel } from './twilio-sms.js';
import { createWebPushChannel } from './web-push.js';

const message: OutgoingMessage = {
  id: '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
  to: '+491701234567',
  subject: 'Your receipt',
  text: 'Thank you for your order.',
  html: '<p>Thank you for your order.</p>',
  language: 'en-GB',
  headers: {},
};

const answering = (status: number, body: unknown = {}) => {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetch = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return new Response(JSON.stringify(body), { status });
  }) as unknown as typeof globalThis.fetch;
  return { calls, fetch };
};

describe('the Twilio SMS adapter', () => {
  const settings = { accountSid: 'AC123', authToken: 'secret', from: '+4930123456' };

  it('posts the text part to the Messages API with basic auth and returns the message SID', async () => {
    const provider = answering(201, { sid: 'SM42' });
    const sms = createTwilioSmsChannel({ ...settings, fetch: provider.fetch });
    expect(await sms.send(message)).toEqual({ providerMessageId: 'SM42' });
    const [call] = provider.calls;
    expect(call?.url).toBe('https://api.twilio.com/2010-04-01/Accounts/AC123/Messages.json');
    const headers = call?.init.headers as Record<string, string>;
    expect(headers.authorization).toBe(`Basic ${Buffer.from('AC123:secret').toString('base64')}`);
    const form = new URLSearchParams(String(call?.init.body));
    expect(Object.fromEntries(form)).toEqual({
      To: '+491701234567',
      Body: 'Thank you for your order.',
      From: '+4930123456',
    });
  });

  it('gives up on a refused request at once and retries throttling and outages', async () => {
    const outcome = async (status: number) => {
      const sms = createTwilioSmsChannel({ ...settings, fetch: answering(status).fetch });
      const error = await sms.send(message).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ChannelError);
      return (error as ChannelError).permanent;
    };
    expect(await outcome(400)).toBe(true);
    expect(await outcome(401)).toBe(true);
    expect(await outcome(429)).toBe(false);
    expect(await outcome(503)).toBe(false);
  });
});

describe('the Web Push adapter', () => {
  it('fails for good when the address is not a push subscription', async () => {
    const keys = webPush.generateVAPIDKeys();
    const push = createWebPushChannel({
      subject: 'mailto:ops@shop.test',
      publicKey: keys.publicKey,
      privateKey: keys.privateKey,
    });
    const error = await push.send(message).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChannelError);
    expect((error as ChannelError).permanent).toBe(true);
  });
});
