// What a user agent is: a bot (crawlers and link previews through isbot, plus the mail-security
// scanners that open every link in a message before its reader does), and otherwise its device
// type, OS and browser (bowser).
import Bowser from 'bowser';
import { isbot } from 'isbot';
import { LRUCache } from 'lru-cache';
import type { Device } from './link.js';

/** Mail-security scanners and link checkers isbot does not know, matched case-insensitively. */
const MAIL_SCANNERS =
  /barracuda|mimecast|proofpoint|urldefense|safelinks|microsoft office|ms-office|ms ?search|trendmicro|trend micro|sophos|forcepoint|cisco ?(ironport|umbrella)|fireeye|symantec|messagelabs|avanan|checkpoint|zscaler|hornetsecurity|vade ?secure|google-safety|googleimageproxy|yahoomailproxy|outlook-?(ios|android)?-?linkpreview/i;

export interface UserAgentInfo {
  bot: boolean;
  device: Device;
  /** Lower-case OS name (`ios`, `android`, `windows`, `macos`, `linux`…), null when unknown. */
  os: string | null;
  browser: string | null;
}

const DEVICES: Record<string, Device> = {
  desktop: 'desktop',
  mobile: 'mobile',
  tablet: 'tablet',
  tv: 'tv',
  bot: 'bot',
};

/** Each user agent parsed once (see classifyUserAgent). */
const parsed = new LRUCache<string, UserAgentInfo>({ max: 5_000 });

/**
 * @example classifyUserAgent('Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) …') // { bot: false, device: 'mobile', os: 'ios', browser: 'Safari' }
 */
export function classifyUserAgent(userAgent: string | undefined): UserAgentInfo {
  const ua = (userAgent ?? '').slice(0, 512);
  // Visitors share few user agents (a browser version spans millions of them): each is parsed
  // once, not once per click (bowser and isbot's pattern were a tenth of a redirect's CPU).
  const known = parsed.get(ua);
  if (known) return known;
  const info = Object.freeze(parseUserAgent(ua));
  parsed.set(ua, info);
  return info;
}

function parseUserAgent(ua: string): UserAgentInfo {
  // No user agent at all is a script, not a browser.
  if (ua.trim() === '' || isbot(ua) || MAIL_SCANNERS.test(ua)) {
    return { bot: true, device: 'bot', os: null, browser: null };
  }
  const parser = Bowser.getParser(ua);
  const os = parser.getOSName(true).replaceAll(' ', '') || null;
  const browser = parser.getBrowserName() || null;
  const device = DEVICES[parser.getPlatformType(true)] ?? 'other';
  return { bot: device === 'bot', device, os, browser };
}
