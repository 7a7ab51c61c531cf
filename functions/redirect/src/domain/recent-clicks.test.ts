import { describe, expect, it } from 'vitest';
import {
  findRecentClick,
  linkTagOf,
  RECENT_CLICKS_MAX,
  readRecentClicks,
  writeRecentClicks,
} from './recent-clicks.js';

const secret = 'test-secret-of-at-least-thirty-two-chars';
const now = new Date('2026-12-02T10:00:00Z');
const seconds = Math.floor(now.getTime() / 1000);
const linkId = (n: number) => `0196f0a2-7c1e-7a00-8000-${String(n).padStart(12, '0')}`;
const click = (n: number, at = seconds) => ({
  linkTag: linkTagOf(linkId(n)),
  clickId: `0196f0a2-0000-7000-8000-${String(n).padStart(12, '0')}`,
  at,
});

describe('recent clicks cookie', () => {
  it('names the earlier click of each link, newest first', () => {
    let cookie = writeRecentClicks(secret, [], click(1), 3600);
    cookie = writeRecentClicks(secret, readRecentClicks(secret, cookie, now, 3600), click(2), 3600);
    const clicks = readRecentClicks(secret, cookie, now, 3600);
    expect(clicks).toEqual([click(2), click(1)]);
    expect(findRecentClick(clicks, linkId(1))?.clickId).toBe(click(1).clickId);
    expect(findRecentClick(clicks, linkId(3))).toBeUndefined();
  });

  it(`keeps the ${RECENT_CLICKS_MAX} most recent links, within the cookie size it accepts`, () => {
    let cookie = '';
    for (let n = 1; n <= RECENT_CLICKS_MAX + 3; n++) {
      cookie = writeRecentClicks(
        secret,
        readRecentClicks(secret, cookie, now, 3600),
        click(n),
        3600,
      );
    }
    const clicks = readRecentClicks(secret, cookie, now, 3600);
    expect(clicks).toHaveLength(RECENT_CLICKS_MAX);
    expect(clicks[0]).toEqual(click(RECENT_CLICKS_MAX + 3));
    expect(findRecentClick(clicks, linkId(1))).toBeUndefined();
  });

  it('forgets clicks older than the window', () => {
    const cookie = writeRecentClicks(
      secret,
      [click(1, seconds - 3000)],
      click(2, seconds - 10),
      3600,
    );
    const later = new Date(now.getTime() + 700_000);
    expect(readRecentClicks(secret, cookie, later, 3600).map((c) => c.linkTag)).toEqual([
      linkTagOf(linkId(2)),
    ]);
  });

  it('reads nothing from a cookie signed with another key, tampered with, or malformed', () => {
    const cookie = writeRecentClicks(secret, [], click(1), 3600);
    expect(readRecentClicks(`${secret}x`, cookie, now, 3600)).toEqual([]);
    const [body, mac] = cookie.split('.');
    const changed = Buffer.from(
      Buffer.from(body as string, 'base64url')
        .toString()
        .replace('0001', '0002'),
    ).toString('base64url');
    expect(readRecentClicks(secret, `${changed}.${mac}`, now, 3600)).toEqual([]);
    for (const junk of [undefined, '', 'x', 'a.b.c', `${'a'.repeat(2000)}.b`]) {
      expect(readRecentClicks(secret, junk, now, 3600)).toEqual([]);
    }
  });
});
