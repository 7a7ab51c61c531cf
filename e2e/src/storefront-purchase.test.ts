// A purchase in the storefront with JavaScript off, through the platform's gateway: browse,
// search, the product page, add to the cart, sign up (the anonymous cart comes along), check
// out, pay on the provider's page, and the order page shows the order paid. Plain HTTP form
// posts with a cookie jar, as a browser without JavaScript sends them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StoryPlatform, startStoryPlatform } from './testing/platform.js';
import { address, PASSWORD } from './testing/shopper.js';
import {
  hiddenFields,
  NoScriptBrowser,
  type RunningStorefront,
  storefrontFor,
} from './testing/storefront.js';

let shop: StoryPlatform;
let site: RunningStorefront;
// A second instance that refreshes the access token on every request (a leeway longer than the
// token lives), as every request of a session does once its token is about to expire.
let refreshingSite: RunningStorefront;

beforeAll(async () => {
  // The site's Trigger is wired: offer's catalog events reach its /events.
  shop = await startStoryPlatform({ storefront: true });
  // The site records page views and cart adds with a write key of its own, as in production.
  const writeKey = await shop.writeKey();
  // What its /events trusts, as its Knative Service is given it: the broker's issuer and keys,
  // its audience, its EventPolicy. A catalog page stays an hour unless an event says otherwise.
  const events = shop.broker.subscriberEnv('storefront');
  [site, refreshingSite] = await Promise.all([
    storefrontFor(shop.gateway.url, {
      ANALYTICS_WRITE_KEY: writeKey,
      CATALOG_CACHE_SECONDS: '3600',
      ...events,
    }),
    storefrontFor(shop.gateway.url, { SESSION_REFRESH_LEEWAY_SECONDS: '86400' }),
  ]);
  shop.attachStorefront(site.url);
}, 240_000);

afterAll(async () => {
  await site?.stop();
  await refreshingSite?.stop();
  await shop?.stop();
});

const SESSION = '__Host-shop_session';

describe('the storefront without JavaScript', () => {
  it('sells a product from the home page to the paid order with plain forms', async () => {
    const browser = new NoScriptBrowser(site.url);
    const productId = await shop.newProduct(2500);

    // Home: featured offers (the newest first) and the categories.
    const home = await browser.get('/');
    expect(home.status, site.output()).toBe(200);
    expect(home.html).toContain('href="/c/kitchen"');
    const firstSession = browser.cookies.get(SESSION);
    expect(firstSession).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const cookieLine = browser.setCookies.find((line) => line.startsWith(`${SESSION}=`)) ?? '';
    expect(cookieLine).toMatch(/; Path=\/;/);
    for (const flag of ['Secure', 'HttpOnly', 'SameSite=Lax']) expect(cookieLine).toContain(flag);
    // No token of any kind reaches the browser.
    expect(home.html).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\./);

    // The product reached by id lives at its slug; the page has the price and structured data.
    const product = await browser.get(`/p/${productId}`);
    expect(product.status).toBe(200);
    const slug = new URL(product.url).pathname.replace('/p/', '');
    expect(product.html).toContain('€25.00');
    expect(product.html).toContain('"@type":"Product"');
    expect(product.html).toContain('"price":"25.00"');
    expect(product.html).toContain('"@type":"BreadcrumbList"');
    expect(product.html).toContain(`<link rel="canonical" href="${site.url}/p/${slug}">`);
    expect(product.html).toContain(`hreflang="de-DE" href="${site.url}/de/p/${slug}"`);

    // Search finds it by name.
    const name = /<h1[^>]*>([^<]+)<\/h1>/.exec(product.html)?.[1] ?? '';
    const search = await browser.get(`/search?q=${encodeURIComponent(`"${name}"`)}`);
    expect(search.status).toBe(200);
    expect(search.html).toContain(`href="/p/${slug}"`);

    // Add two to the cart (Post/Redirect/Get back to the product page).
    const added = await browser.post('/cart/add', {
      ...hiddenFields(product.html, '/cart/add'),
      quantity: '2',
    });
    expect(added.url).toBe(`${site.url}/p/${slug}`);
    expect(added.html).toContain('Added to your cart.');
    expect(added.html).toMatch(/data-cart-count[^>]*>2</);
    const cart = await browser.get('/cart');
    expect(cart.html).toContain(name);
    expect(cart.html).toMatch(/data-testid="total">€50.00</);

    // Checkout asks to sign in; signing up brings the anonymous cart along.
    const gate = await browser.get('/checkout');
    expect(new URL(gate.url).pathname).toBe('/signin');
    const signupPage = await browser.get('/signup?return=%2Fcheckout');
    const email = `storefront-${crypto.randomUUID()}@example.com`;
    const checkoutPage = await browser.post('/signup', {
      ...hiddenFields(signupPage.html, '/signup'),
      name: 'Ada Lovelace',
      email,
      password: PASSWORD,
    });
    expect(new URL(checkoutPage.url).pathname, checkoutPage.html).toBe('/checkout');
    // Signing in gave the browser a new session id: the one from before is worth nothing.
    expect(browser.cookies.get(SESSION)).not.toBe(firstSession);
    expect(checkoutPage.html).toContain(`2 × ${name}`);
    expect(checkoutPage.html).toContain('€50.00');

    // Place the order: the order page waits for the payment and links to the provider.
    const checkoutForm = { ...hiddenFields(checkoutPage.html, '/checkout'), ...address, line2: '' };
    const orderPage = await browser.post('/checkout', checkoutForm);
    const orderPath = new URL(orderPage.url).pathname;
    expect(orderPath, orderPage.html).toMatch(/^\/orders\/[0-9a-f-]{36}$/);
    // The same form sent again (a double click, a reload that re-posts) is the same order.
    const again = await browser.post('/checkout', checkoutForm);
    expect(new URL(again.url).pathname).toBe(orderPath);
    expect(orderPage.html).toContain('data-status="pending_payment"');
    expect(orderPage.html).toContain('<meta http-equiv="refresh" content="3">');
    const payUrl = /href="([^"]+)" data-testid="pay"/.exec(orderPage.html)?.[1] ?? '';
    expect(payUrl).toContain('/pay/');

    // Pay on the provider's page (its own form), as the shopper would.
    const payPage = await browser.get(payUrl.replaceAll('&amp;', '&'));
    expect(payPage.status).toBe(200);
    const confirm = /action="([^"]+\/confirm)"/.exec(payPage.html)?.[1] ?? '';
    const paid = await browser.post(confirm, {}, payUrl);
    expect(paid.status).toBe(200);

    // The webhook lands; the order page the browser refreshes shows it paid.
    const settled = await shop.until(
      () => browser.get(orderPath),
      (page) => page.html.includes('data-status="paid"'),
    );
    expect(settled.html).toContain('Thank you! Your order is paid.');
    expect(settled.html).not.toContain('http-equiv="refresh"');

    // And the account lists it.
    const orders = await browser.get('/account/orders');
    expect(orders.html).toContain(orderPath);
    expect(orders.html).toContain('data-status="paid"');
    expect(orders.html).toContain(email);

    // Signing out ends the session: the account asks to sign in again.
    const signedOut = await browser.post('/signout', hiddenFields(orders.html, '/signout'));
    expect(signedOut.html).toContain('You are signed out.');
    const afterSignOut = await browser.get('/account/orders');
    expect(new URL(afterSignOut.url).pathname).toBe('/signin');
  });

  it("shows a new price once the catalog's event arrives, though its pages are kept an hour", async () => {
    const browser = new NoScriptBrowser(site.url);
    const productId = await shop.newProduct(4200);
    const first = await browser.get(`/p/${productId}`);
    const slug = new URL(first.url).pathname;
    // The created and price events of the new product may still be on their way: wait for the
    // page to settle, then it is kept (the category listing with it).
    await shop.until(
      () => browser.get(slug),
      (page) => page.html.includes('€42.00'),
    );
    await shop.until(
      () => browser.get('/c/kitchen?sort=price_desc'),
      (page) => page.html.includes(slug),
    );
    await shop.setPrice(productId, 4950);
    // offer → outbox → broker → the Trigger → /events (OIDC-checked) → the cache is emptied.
    const changed = await shop.until(
      () => browser.get(slug),
      (page) => page.html.includes('€49.50'),
    );
    expect(changed.html, site.output()).toContain('€49.50');
    expect(changed.html).not.toContain('€42.00');
    expect(changed.html).toContain('"price":"49.50"');
    const listing = await browser.get('/c/kitchen?sort=price_desc');
    expect(listing.html).toContain('€49.50');
    // The broker carried it to the site: the price event is on the topic.
    const carried = await shop.brokerEvents('shop.offer.price_changed');
    expect(carried.some((e) => (e.data as { productId?: string }).productId === productId)).toBe(
      true,
    );
  });

  it('refuses events at /events that do not come from its Trigger', async () => {
    const attempt = (headers: Record<string, string>) =>
      fetch(`${site.url}/events`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'ce-specversion': '1.0',
          'ce-id': crypto.randomUUID(),
          'ce-source': '/shop/offer',
          'ce-type': 'shop.offer.archived',
          ...headers,
        },
        body: '{}',
      });
    const anonymous = await attempt({});
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('content-type')).toContain('application/problem+json');
    // A token the broker minted for another audience (the publisher token of auth).
    const publisher = shop.broker.publisherToken('auth');
    expect((await attempt({ authorization: `Bearer ${publisher}` })).status).toBe(401);
  });

  it('shows the product in German under /de with prices formatted for Germany', async () => {
    const browser = new NoScriptBrowser(site.url);
    const productId = await shop.newProduct(123456);
    const product = await browser.get(`/de/p/${productId}`);
    expect(product.status).toBe(200);
    expect(new URL(product.url).pathname).toMatch(/^\/de\/p\//);
    expect(product.html).toContain('<html lang="de-DE">');
    expect(product.html).toContain('1.234,56');
    expect(product.html).toContain('In den Warenkorb');
    expect(product.html).toContain('hreflang="en-GB"');
  });

  it('keeps the shopper signed in while the server refreshes the tokens, even for parallel requests', async () => {
    const browser = new NoScriptBrowser(refreshingSite.url);
    const signup = await browser.get('/signup');
    const email = `refresh-${crypto.randomUUID()}@example.com`;
    const signedUp = await browser.post('/signup', {
      ...hiddenFields(signup.html, '/signup'),
      name: 'Grace Hopper',
      email,
      password: PASSWORD,
    });
    expect(new URL(signedUp.url).pathname, signedUp.html).toBe('/account/orders');
    // Every request refreshes first: one after the other, then eight at once on one session.
    // Auth revokes the whole token family when a spent refresh token comes back, so a second
    // refresh of the same token would sign the shopper out.
    for (let i = 0; i < 3; i++) {
      expect((await browser.get('/account/orders')).html).toContain(email);
    }
    const parallel = await Promise.all(
      Array.from({ length: 8 }, () => browser.get('/account/orders')),
    );
    for (const page of parallel) expect(new URL(page.url).pathname).toBe('/account/orders');
    const after = await browser.get('/account/orders');
    expect(new URL(after.url).pathname).toBe('/account/orders');
    expect(after.html).toContain(email);
  });

  it('sends the browser back only to a path of this site after sign-in (no open redirect)', async () => {
    const browser = new NoScriptBrowser(site.url);
    const page = await browser.get('/signup?return=%2F%2Fevil.example%2Fphish');
    expect(page.html).toContain('name="return" value="/account/orders"');
    const signedUp = await browser.post('/signup', {
      ...hiddenFields(page.html, '/signup'),
      return: 'https://evil.example/phish',
      name: 'Mallory Target',
      email: `redirect-${crypto.randomUUID()}@example.com`,
      password: PASSWORD,
    });
    expect(signedUp.url).toBe(`${site.url}/account/orders`);
  });

  it('refuses a form posted from another site, and one without the session token', async () => {
    const browser = new NoScriptBrowser(site.url);
    const productId = await shop.newProduct(999);
    const product = await browser.get(`/p/${productId}`);
    const fields = hiddenFields(product.html, '/cart/add');
    const cookie = `${SESSION}=${browser.cookies.get(SESSION)}`;
    const post = (headers: Record<string, string>, body: Record<string, string>) =>
      fetch(`${site.url}/cart/add`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, ...headers },
        body: new URLSearchParams(body),
      });
    expect((await post({ origin: 'https://evil.example' }, fields)).status).toBe(403);
    expect((await post({ origin: site.url }, { ...fields, _csrf: 'x'.repeat(43) })).status).toBe(
      403,
    );
    expect((await post({}, fields)).status).toBe(403);
    // Nothing reached the cart.
    const cart = await browser.get('/cart');
    expect(cart.html).toContain('Your cart is empty.');
  });

  it('lists the catalog in sitemap.xml with both languages and answers an unknown page with 404', async () => {
    const sitemap = await fetch(`${site.url}/sitemap.xml`);
    expect(sitemap.status).toBe(200);
    const xml = await sitemap.text();
    expect(xml).toContain(`<loc>${site.url}/c/kitchen</loc>`);
    expect(xml).toContain(`<loc>${site.url}/de/c/kitchen</loc>`);
    expect(xml).toMatch(/<loc>[^<]+\/p\/[a-z0-9-]+<\/loc><lastmod>/);
    const robots = await (await fetch(`${site.url}/robots.txt`)).text();
    expect(robots).toContain(`Sitemap: ${site.url}/sitemap.xml`);
    const missing = await fetch(`${site.url}/p/no-such-product-anywhere`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('Page not found');
  });
});

describe("the storefront's pages for mailed links, without JavaScript", () => {
  /** The link of the newest `type` event auth wrote for `email` (what the mail carries). */
  async function mailedLink(type: string, email: string): Promise<URL> {
    const { rows } = await shop.auth.db.query<{ data: { link: string } | string }>(
      `SELECT data FROM auth.outbox WHERE type = $1 ORDER BY id DESC`,
      [type],
    );
    for (const row of rows) {
      const data = typeof row.data === 'string' ? JSON.parse(row.data) : row.data;
      if (data.email === email) return new URL(data.link);
    }
    throw new Error(`no ${type} for ${email}`);
  }

  /** The token of a mailed link: browsers keep the fragment, so the shopper pastes it. */
  const tokenOf = (link: URL) => new URLSearchParams(link.hash.slice(1)).get('token') ?? '';

  async function signUp(browser: NoScriptBrowser, email: string) {
    const page = await browser.get('/signup');
    const done = await browser.post('/signup', {
      ...hiddenFields(page.html, '/signup'),
      name: 'Ada Verify',
      email,
      password: PASSWORD,
    });
    expect(new URL(done.url).pathname, done.html).toBe('/account/orders');
  }

  it('confirms the address once from the welcome mail link; a second use is refused', async () => {
    const browser = new NoScriptBrowser(site.url);
    const email = `verify-${crypto.randomUUID()}@example.com`;
    await signUp(browser, email);
    const link = await mailedLink('shop.user.email_verification_requested', email);
    expect(link.pathname).toBe('/account/verify-email');
    expect(link.search).toBe('');

    // Opening the link spends nothing (a mail scanner may follow it); the form's POST does.
    const page = await browser.get(link.pathname);
    expect(page.status).toBe(200);
    expect(page.html).toContain('name="token"');
    const fields = { ...hiddenFields(page.html, '/account/verify-email'), token: tokenOf(link) };
    const confirmed = await browser.post('/account/verify-email', fields);
    expect(confirmed.status).toBe(200);
    expect(confirmed.html).toContain(`${email} is confirmed`);
    const { rows } = await shop.auth.db.query<{ email_verified_at: Date | null }>(
      'SELECT email_verified_at FROM auth.credential WHERE email = $1',
      [email],
    );
    expect(rows[0]?.email_verified_at).not.toBeNull();

    const again = await browser.post('/account/verify-email', fields);
    expect(again.status).toBe(400);
    expect(again.html).toContain('This link does not work');
  });

  it('resets a forgotten password from the mailed link, in German too, and the old one stops working', async () => {
    const browser = new NoScriptBrowser(site.url);
    const email = `reset-${crypto.randomUUID()}@example.com`;
    await signUp(browser, email);
    await browser.post('/signout', hiddenFields((await browser.get('/')).html, '/signout'));

    // The same answer for an address without an account, so the page tells nobody which exist.
    const ask = await browser.get('/de/account/forgot-password');
    expect(ask.html).toContain('Passwort zurücksetzen');
    const unknown = await browser.post('/de/account/forgot-password', {
      ...hiddenFields(ask.html, '/de/account/forgot-password'),
      email: `nobody-${crypto.randomUUID()}@example.com`,
    });
    const known = await browser.post('/de/account/forgot-password', {
      ...hiddenFields(ask.html, '/de/account/forgot-password'),
      email,
    });
    expect(unknown.status).toBe(200);
    expect(known.status).toBe(200);
    const sent = (html: string) => /<p class="notice success"[^>]*>([^<]+)</.exec(html)?.[1];
    expect(sent(known.html)).toBeDefined();
    expect(sent(known.html)).toBe(sent(unknown.html));

    const link = await mailedLink('shop.user.password_reset_requested', email);
    expect(link.pathname).toBe('/account/reset-password');
    const form = await browser.get('/account/reset-password');
    const fields = { ...hiddenFields(form.html, '/account/reset-password'), token: tokenOf(link) };

    // A weak password is refused and keeps the link usable.
    const weak = await browser.post('/account/reset-password', { ...fields, password: 'password' });
    expect(weak.status).toBe(400);
    expect(weak.html).toContain('too short or too common');

    const newPassword = `${PASSWORD}-new`;
    const reset = await browser.post('/account/reset-password', {
      ...fields,
      password: newPassword,
    });
    expect(new URL(reset.url).pathname).toBe('/signin');
    expect(reset.html).toContain('Your password is changed');
    const reused = await browser.post('/account/reset-password', {
      ...fields,
      password: `${newPassword}2`,
    });
    expect(reused.status).toBe(400);
    expect(reused.html).toContain('This link does not work');

    const signin = await browser.get('/signin');
    const old = await browser.post('/signin', {
      ...hiddenFields(signin.html, '/signin'),
      email,
      password: PASSWORD,
    });
    expect(old.status).toBe(401);
    const fresh = await browser.post('/signin', {
      ...hiddenFields(signin.html, '/signin'),
      email,
      password: newPassword,
    });
    expect(new URL(fresh.url).pathname).toBe('/account/orders');
  });
});

describe("the storefront's account pages, without JavaScript", () => {
  it('edits the profile and consent, keeps addresses for checkout, and erases the account', async () => {
    const browser = new NoScriptBrowser(site.url);
    const email = `account-${crypto.randomUUID()}@example.com`;
    const signup = await browser.get('/signup');
    await browser.post('/signup', {
      ...hiddenFields(signup.html, '/signup'),
      name: 'Ada Account',
      email,
      password: PASSWORD,
    });
    // The profile exists once user has consumed auth's shop.user.registered.
    const account = await shop.until(
      () => browser.get('/account'),
      (page) => page.html.includes('name="version"'),
    );
    expect(account.html).toContain('value="Ada Account"');
    expect(account.html).toContain('You have not agreed to marketing emails.');

    const saved = await browser.post('/account', {
      ...hiddenFields(account.html, '/account'),
      displayName: 'Ada King',
      locale: 'de-DE',
      marketingConsent: '1',
    });
    expect(new URL(saved.url).pathname).toBe('/account');
    expect(saved.html).toContain('Your details are saved.');
    expect(saved.html).toContain('value="Ada King"');
    expect(saved.html).toMatch(/<option value="de-DE" selected/);
    expect(saved.html).toContain('You agreed on');

    // The form of before names an old version: its change is refused, not written over the new.
    const stale = await browser.post('/account', {
      ...hiddenFields(account.html, '/account'),
      displayName: 'Stale Ada',
    });
    expect(stale.status).toBe(412);
    expect(stale.html).toContain('changed elsewhere');
    expect(stale.html).toContain('value="Ada King"');

    // An address saved in the account is offered at checkout and used for the order.
    const book = await browser.get('/account/addresses');
    expect(book.html).toContain('You have no saved addresses yet.');
    const added = await browser.post('/account/addresses', {
      ...hiddenFields(book.html, '/account/addresses'),
      ...address,
      line1: '7 Difference Engine Street',
      isDefaultShipping: '1',
    });
    expect(added.html).toContain('The address is saved.');
    expect(added.html).toContain('7 Difference Engine Street');
    const refused = await browser.post('/account/addresses', {
      ...hiddenFields(book.html, '/account/addresses'),
      ...address,
      country: 'XX',
    });
    expect(refused.status).toBe(400);
    expect(refused.html).toMatch(/name="country"[^>]*aria-invalid="true"/);

    const productId = await shop.newProduct(1200);
    const product = await browser.get(`/p/${productId}`);
    await browser.post('/cart/add', { ...hiddenFields(product.html, '/cart/add'), quantity: '1' });
    const checkout = await browser.get('/checkout');
    const chosen = /<input type="radio" name="addressId" value="([0-9a-f-]{36})" checked/.exec(
      checkout.html,
    )?.[1];
    expect(chosen, checkout.html).toBeDefined();
    const order = await browser.post('/checkout', {
      ...hiddenFields(checkout.html, '/checkout'),
      addressId: chosen ?? '',
    });
    const orderId = /\/orders\/([0-9a-f-]{36})$/.exec(new URL(order.url).pathname)?.[1];
    expect(orderId, order.html).toBeDefined();
    const { rows } = await shop.cart.db.query<{ shipping_address: unknown }>(
      'SELECT shipping_address FROM cart."order" WHERE id = $1',
      [orderId],
    );
    expect(JSON.stringify(rows[0]?.shipping_address)).toContain('7 Difference Engine Street');

    // Erasure: a wrong confirmation word changes nothing; the right one signs out for good.
    const erase = await browser.get('/account/delete');
    const wrong = await browser.post('/account/delete', {
      ...hiddenFields(erase.html, '/account/delete'),
      confirm: 'maybe',
    });
    expect(wrong.status).toBe(400);
    const erased = await browser.post('/account/delete', {
      ...hiddenFields(erase.html, '/account/delete'),
      confirm: 'delete',
    });
    expect(new URL(erased.url).pathname).toBe('/');
    expect(erased.html).toContain('Your account is deleted.');
    expect(new URL((await browser.get('/account')).url).pathname).toBe('/signin');
    const gone = await shop.until(
      () => shop.call('POST', '/api/auth/login', { body: { email, password: PASSWORD } }),
      (answer) => answer.status === 401,
    );
    expect(gone.status).toBe(401);
  });
});

describe("the storefront's analytics and the affiliate's click id", () => {
  it('keeps the click id of a redirect for the lookback window and counts page views without JavaScript', async () => {
    // A real click: the redirect puts its id on the destination as shop_click.
    const redirected = await fetch(`${shop.gateway.url}/r/summer-sale`, { redirect: 'manual' });
    const clickId = new URL(redirected.headers.get('location') ?? '').searchParams.get(
      'shop_click',
    );
    expect(clickId).toMatch(/^[0-9a-f-]{36}$/);

    const browser = new NoScriptBrowser(site.url);
    const home = await browser.get(`/?shop_click=${clickId}`);
    const cookie = browser.setCookies.find((line) => line.startsWith('__Host-shop_click=')) ?? '';
    expect(cookie).toBe(
      `__Host-shop_click=${clickId}; Path=/; Max-Age=${90 * 24 * 3600}; Secure; HttpOnly; SameSite=Lax`,
    );
    // Without JavaScript the page view is the <noscript> pixel (the beacon script does not run).
    const pixel = /<noscript><img src="([^"]+)"/.exec(home.html)?.[1]?.replaceAll('&amp;', '&');
    expect(pixel).toMatch(/^\/a\/page\.gif\?/);
    const image = await browser.get(pixel ?? '');
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/gif');

    // Attribution sees the visit with its click (ingest → the analytics topic → attribution).
    const views = () =>
      shop.attribution.db.query<{ anonymous_id: string }>(
        'SELECT anonymous_id FROM attribution.page_view WHERE click_id = $1',
        [clickId],
      );
    const first = await shop.until(views, (result) => result.rows.length >= 1);
    expect(first.rows.length).toBeGreaterThanOrEqual(1);
    const visitor = first.rows[0]?.anonymous_id ?? '';
    expect(visitor).not.toBe(browser.cookies.get(SESSION));

    // Weeks later the session is gone, the cookie is not: the next visit still carries the click.
    const later = new NoScriptBrowser(site.url);
    later.cookies.set('__Host-shop_click', clickId ?? '');
    const back = await later.get('/c/kitchen');
    const laterPixel = /<noscript><img src="([^"]+)"/
      .exec(back.html)?.[1]
      ?.replaceAll('&amp;', '&');
    await later.get(laterPixel ?? '');
    const both = await shop.until(views, (result) =>
      result.rows.some((row) => row.anonymous_id !== visitor),
    );
    expect(new Set(both.rows.map((row) => row.anonymous_id)).size).toBe(2);

    // A pixel naming another site's page is not counted.
    const forged = await later.get('/a/page.gif?u=https%3A%2F%2Fevil.example%2F');
    expect(forged.status).toBe(200);
  });
});
