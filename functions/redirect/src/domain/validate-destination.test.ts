import { describe, expect, it } from 'vitest';
import { parseAllowedHosts, validateDestination } from './validate-destination.js';

const policy = { hosts: parseAllowedHosts('shop.example,landing.shop.example,*.cdn.shop.example') };

// Known open-redirect bypasses (OWASP's unvalidated-redirects cheat sheet, PortSwigger's URL
// validation bypass cheat sheet, PayloadsAllTheThings' open-redirect list), aimed at an
// allowlist of shop.example. Each must be refused before anything is stored.
const BYPASSES: readonly string[] = [
  // Other schemes, spelled every way browsers still accept.
  'javascript:alert(1)',
  'JavaScript:alert(1)',
  'JAVASCRIPT:alert(document.domain)',
  'javascript://shop.example/%0aalert(1)',
  'javascript://%0ahttps://shop.example',
  'java\tscript:alert(1)',
  'java\nscript:alert(1)',
  ' javascript:alert(1)',
  '\u0001javascript:alert(1)',
  'javascript&colon;alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
  'vbscript:msgbox(1)',
  'file:///etc/passwd',
  'ftp://shop.example/',
  'http://shop.example/',
  'HTTP://shop.example/',
  'ws://shop.example/',
  'wss://shop.example/',
  'blob:https://shop.example/uuid',
  'about:blank',
  'mailto:a@shop.example',
  'tel:+100000000',
  'view-source:https://shop.example/',
  'intent://shop.example#Intent;scheme=https;end',
  'jar:https://shop.example/a.jar!/',
  'chrome://settings',
  'https+evil://shop.example/',
  // Relative, protocol-relative and slash confusion.
  '//evil.example',
  '///evil.example',
  '////evil.example',
  '/\\evil.example',
  '\\\\evil.example',
  '\\/evil.example',
  '/evil.example',
  'evil.example',
  'shop.example',
  '?next=https://evil.example',
  'https:evil.example',
  'https:/evil.example',
  'https:///evil.example',
  'https:////evil.example',
  'https:\\\\evil.example',
  'https:/\\evil.example',
  'https:\\/evil.example',
  'https://\\evil.example',
  'https://shop.example\\@evil.example',
  'https://shop.example\\.evil.example',
  'https://shop.example%5c@evil.example',
  'https://shop.example/%5c%5cevil.example',
  // Userinfo: the host is what follows the last @.
  'https://shop.example@evil.example',
  'https://shop.example:443@evil.example',
  'https://shop.example:pass@evil.example',
  'https://user@shop.example/',
  'https://user:pass@shop.example/',
  'https://evil.example@shop.example/',
  'https://evil.example%40shop.example/',
  'https://shop.example%40evil.example/',
  'https://shop.example%2f@evil.example',
  'https://shop.example%23@evil.example',
  'https://shop.example%3f@evil.example',
  'https://shop.example&@evil.example',
  'https://shop.example;@evil.example',
  'https://@evil.example',
  'https://shop.example@@evil.example',
  // Hosts that only look like ours.
  'https://evil.example/',
  'https://shop.example.evil.example/',
  'https://evilshop.example/',
  'https://shop.example.com/',
  'https://shop-example.com/',
  'https://shop.exampl/',
  'https://shop.example./',
  'https://SHOP.EXAMPLE.evil.example/',
  'https://shop.example%2eevil.example/',
  'https://shop.example%00.evil.example/',
  'https://%73hop.example/',
  'https://shop%2eexample/',
  'https://shop.example\u3002evil.example/',
  'https://shop\uff0eexample/',
  'https://cdn.shop.example.evil.example/',
  'https://xcdn.shop.example/',
  'https://a.landing.shop.example/',
  'https://shop.example:8443/',
  'https://shop.example:443/',
  'https://shop.example:/',
  'https://shop.example:0/',
  'https://shop.example:65536/',
  // IP literals in every notation the parser accepts.
  'https://127.0.0.1/',
  'https://2130706433/',
  'https://0x7f000001/',
  'https://0x7f.0x0.0x0.0x1/',
  'https://0177.0.0.1/',
  'https://0177.0000.0000.0001/',
  'https://017700000001/',
  'https://127.1/',
  'https://127.0.1/',
  'https://0/',
  'https://0.0.0.0/',
  'https://169.254.169.254/latest/meta-data/',
  'https://0xa9fea9fe/',
  'https://2852039166/',
  'https://8.8.8.8/',
  'https://1.1.1.1/',
  'https://[::1]/',
  'https://[0:0:0:0:0:0:0:1]/',
  'https://[::ffff:127.0.0.1]/',
  'https://[::ffff:7f00:1]/',
  'https://[fe80::1]/',
  'https://[fd00:ec2::254]/',
  'https://[::]/',
  'https://%31%32%37%2e%30%2e%30%2e%31/',
  'https://127.0.0.1.nip.io.evil/',
  // IDN look-alikes and mixed scripts (Cyrillic, Greek, full-width, punycode).
  'https://shоp.example/',
  'https://ѕhop.example/',
  'https://shop.ехample/',
  'https://ѕһор.ехаmрlе/',
  'https://shοp.example/',
  'https://ｓｈｏｐ.example/',
  'https://shop.example\u2215evil.example/',
  'https://shop.example\u2044evil.example/',
  'https://xn--shp-ted.example/',
  'https://xn--80ak6aa92e.com/',
  'https://landing.xn--shp-ted.example/',
  'https://ⓢⓗⓞⓟ.example/',
  'https://shop.exampl\u0435/',
  'https://s\u200bhop.example/',
  'https://shop\u00ad.example/',
  // Control characters, whitespace and invisible characters.
  'https://shop.example/\r\nSet-Cookie:a=b',
  'https://shop.example/\nLocation:https://evil.example',
  'ht\ttps://shop.example/',
  'https://shop.ex\tample/',
  'https://shop.example/\u0000',
  'https://shop.example/ ',
  ' https://shop.example/',
  'https://shop.example/\u0085',
  'https://shop.example/\u2028',
  'https://shop.example/\u202eelpmaxe',
  'https://shop.example/\u2066',
  '\ufeffhttps://shop.example/',
  'https://shop.example/\u007f',
  'https:// shop.example/',
  // Paths some pages read as another host.
  'https://shop.example//evil.example',
  'https://shop.example//evil.example/path',
  // Nothing usable.
  '',
  '   ',
  'https://',
  'https:',
  'https://shop.example/\ud800',
  `https://shop.example/${'a'.repeat(2100)}`,
];

const ACCEPTED: readonly [string, string][] = [
  ['https://shop.example/', 'https://shop.example/'],
  ['https://shop.example', 'https://shop.example/'],
  ['https://SHOP.example/Sale', 'https://shop.example/Sale'],
  [
    'https://landing.shop.example/summer?utm_source=x',
    'https://landing.shop.example/summer?utm_source=x',
  ],
  ['https://img.cdn.shop.example/a.png', 'https://img.cdn.shop.example/a.png'],
  ['https://shop.example/caf%C3%A9#top', 'https://shop.example/caf%C3%A9#top'],
  ['https://shop.example/über', 'https://shop.example/%C3%BCber'],
  // What follows ? or # is not the authority: browsers stay on shop.example.
  ['https://shop.example?@evil.example', 'https://shop.example/?@evil.example'],
  ['https://shop.example#@evil.example', 'https://shop.example/#@evil.example'],
];

describe('validateDestination', () => {
  it('has at least 100 known bypass payloads in its table', () => {
    expect(new Set(BYPASSES).size).toBeGreaterThanOrEqual(100);
    expect(new Set(BYPASSES).size).toBe(BYPASSES.length);
  });

  it.each(BYPASSES.map((payload) => [JSON.stringify(payload).slice(0, 80), payload]))(
    'refuses %s',
    (_name, payload) => {
      const check = validateDestination(payload, policy);
      expect(check.ok, `${JSON.stringify(payload)} was accepted`).toBe(false);
      if (!check.ok) expect(check.reason).toMatch(/^must /);
    },
  );

  it.each(ACCEPTED)('accepts %s as %s', (input, stored) => {
    expect(validateDestination(input, policy)).toEqual({
      ok: true,
      url: stored,
      host: new URL(stored).hostname,
    });
  });

  it('refuses anything but a string', () => {
    for (const value of [undefined, null, 42, {}, ['https://shop.example/']]) {
      expect(validateDestination(value, policy).ok).toBe(false);
    }
  });

  it('allows http only for an exact dev origin, never for another port or host', () => {
    const dev = { ...policy, devHttpOrigins: ['http://localhost:4322'] };
    expect(validateDestination('http://localhost:4322/summer-sale', dev)).toMatchObject({
      ok: true,
    });
    for (const payload of [
      'http://localhost:43221/',
      'http://localhost:4322@evil.example/',
      'http://localhost:4323/',
      'http://127.0.0.1:4322/',
      'http://localhost:4322\\@evil.example',
    ]) {
      expect(validateDestination(payload, dev).ok, payload).toBe(false);
    }
    expect(validateDestination('http://localhost:4322/', policy).ok).toBe(false);
  });
});

describe('parseAllowedHosts', () => {
  it('reads hosts and *.subdomain entries', () => {
    expect(parseAllowedHosts(' shop.example, *.cdn.shop.example ,')).toEqual([
      { host: 'shop.example', subdomains: false },
      { host: 'cdn.shop.example', subdomains: true },
    ]);
  });

  it.each([
    '127.0.0.1',
    'localhost',
    'Shop.example',
    'shop.example:443',
    'user@shop.example',
    'shоp.example',
    '*.com.',
    '[::1]',
    '1.2.3.4.5',
  ])('refuses the entry %s', (entry) => {
    expect(() => parseAllowedHosts(entry)).toThrow(/not a lowercase DNS name/);
  });
});
