import { describe, expect, it } from 'vitest';
import { classifyUserAgent } from './classify-visitor.js';

const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';
const WINDOWS_CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';
const IPAD =
  'Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1';
const ANDROID =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36';

describe('classifyUserAgent', () => {
  it('reads device, OS and browser of real browsers', () => {
    expect(classifyUserAgent(IPHONE)).toEqual({
      bot: false,
      device: 'mobile',
      os: 'ios',
      browser: 'Safari',
    });
    expect(classifyUserAgent(WINDOWS_CHROME)).toEqual({
      bot: false,
      device: 'desktop',
      os: 'windows',
      browser: 'Chrome',
    });
    expect(classifyUserAgent(IPAD)).toMatchObject({ bot: false, device: 'tablet', os: 'ios' });
    expect(classifyUserAgent(ANDROID)).toMatchObject({
      bot: false,
      device: 'mobile',
      os: 'android',
    });
  });

  it.each([
    'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
    'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)',
    'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)',
    'Twitterbot/1.0',
    'WhatsApp/2.23.20.0',
    'TelegramBot (like TwitterBot)',
    'Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)',
    'curl/8.5.0',
    'python-requests/2.31.0',
    'Mozilla/5.0 (compatible; Barracuda Sentinel)',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Mimecast-URL-Protect',
    'Proofpoint URL Defense',
    'Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17328; Pro)',
    '',
  ])('flags %s as a bot', (ua) => {
    expect(classifyUserAgent(ua)).toMatchObject({ bot: true, device: 'bot' });
  });

  it('flags a missing user agent as a bot', () => {
    expect(classifyUserAgent(undefined).bot).toBe(true);
  });
});
