import { describe, expect, it } from 'vitest';
import { beaconBody, pageSeen } from './page-views.js';

const ORIGIN = 'https://shop.example';

describe('what a page-view beacon or pixel may report', () => {
  it('takes a path of this site and drops the fragment', () => {
    const page = pageSeen(ORIGIN, { url: '/p/kettle?shop_click=1#top', title: 'Kettle' });
    expect(page?.url.href).toBe('https://shop.example/p/kettle?shop_click=1');
    expect(page?.title).toBe('Kettle');
  });

  it('refuses another origin, a scheme trick and anything not a string', () => {
    for (const url of [
      'https://evil.example/p/kettle',
      '//evil.example/x',
      'javascript:alert(1)',
      42,
      undefined,
      `/${'a'.repeat(2001)}`,
    ]) {
      expect(pageSeen(ORIGIN, { url })).toBeUndefined();
    }
  });

  it('bounds the title and referrer', () => {
    const page = pageSeen(ORIGIN, { url: '/', title: 't'.repeat(500), referrer: 'r'.repeat(3000) });
    expect(page?.title).toHaveLength(300);
    expect(page?.referrer).toHaveLength(2000);
  });

  it('reads a small JSON object from a beacon and nothing else', async () => {
    const post = (body: string) => new Request(`${ORIGIN}/a/page`, { method: 'POST', body });
    expect(await beaconBody(post('{"url":"/"}'))).toEqual({ url: '/' });
    expect(await beaconBody(post('[1]'))).toBeUndefined();
    expect(await beaconBody(post('not json'))).toBeUndefined();
    expect(await beaconBody(post(JSON.stringify({ url: 'x'.repeat(5000) })))).toBeUndefined();
  });
});
