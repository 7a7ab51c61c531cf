// The site's only way to the platform: the gateway's public API, as a shopper's client would
// call it, with a timeout on every call. The site holds no business logic: what a route
// refuses comes back as a problem the page shows.
import type { ShopperHeaders } from '@shop/shared/site-security';
import type { Money } from './money.js';

/** A product of the public catalog (offer's JSON). */
export interface Product {
  id: string;
  slug: string;
  name: string;
  description: string;
  category: string;
  priceAmount: number;
  currency: string;
  images: string[];
  stock: number;
  status: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface Category {
  slug: string;
  name: string;
  description?: string | null;
  productCount: number;
}

export interface CartLine {
  productId: string;
  slug: string;
  name: string;
  quantity: number;
  unitPrice: Money | null;
  priceWhenAdded: Money | null;
  priceChanged: boolean;
  lineTotal: Money | null;
  available: number;
  inStock: boolean;
  maxQuantity: number;
  purchasable: boolean;
}

export interface Cart {
  cartId?: string | null;
  items: CartLine[];
  itemCount: number;
  total: Money;
  expiresAt?: string | null;
}

export interface OrderItem {
  productId: string;
  slug: string;
  name: string;
  quantity: number;
  unitPrice: Money;
  lineTotal: Money;
}

export interface Order {
  id: string;
  status: string;
  items: OrderItem[];
  total: Money;
  createdAt: string;
  updatedAt: string;
  shippingAddress?: Record<string, string | null>;
}

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

export interface ShippingAddress {
  name: string;
  line1: string;
  line2?: string;
  postalCode: string;
  city: string;
  country: string;
}

export interface Address {
  id: string;
  label?: string | null;
  name: string;
  line1: string;
  line2?: string | null;
  postalCode: string;
  city: string;
  region?: string | null;
  country: string;
  phone?: string | null;
  isDefaultShipping: boolean;
  isDefaultBilling: boolean;
}

export interface Profile {
  id: string;
  email: string;
  displayName: string | null;
  locale: string | null;
  marketingConsent: boolean;
  marketingConsentAt: string | null;
  addresses: Address[];
  version: number;
}

export interface CheckoutAnswer {
  order: Order;
  payment: { providerPaymentId: string; redirectUrl: string | null };
}

/** What a call got back: the status, the JSON body (or null) and the headers. */
export interface Answer<T> {
  status: number;
  ok: boolean;
  body: T;
  headers: Headers;
}

/** An RFC 9457 problem as the platform sends it. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: { name: string; reason: string }[];
}

/** The gateway answered with a status ≥ 500, could not be reached, or did not answer in time. */
export class GatewayUnavailableError extends Error {
  override name = 'GatewayUnavailableError';
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** Who a call is made for: a signed-in shopper's token and/or an anonymous cart id. */
export interface Caller {
  accessToken?: string | undefined;
  cartId?: string | undefined;
  locale?: string | undefined;
}

export interface GatewayClientOptions {
  baseUrl: string;
  timeoutMs: number;
  fetch?: typeof fetch;
  /** The current shopper's address and the site's token, for every call (the kit's). */
  shopperHeaders?: ShopperHeaders;
}

export interface ListingQuery {
  q?: string | undefined;
  category?: string | undefined;
  minPrice?: number | undefined;
  maxPrice?: number | undefined;
  sort?: string | undefined;
  cursor?: string | undefined;
  limit?: number | undefined;
}

/** The calls the storefront makes, one per gateway route it uses. */
export type GatewayClient = ReturnType<typeof createGatewayClient>;

/**
 * A client of the gateway's public API.
 * @example const gateway = createGatewayClient({ baseUrl: 'http://127.0.0.1:8080', timeoutMs: 5000 });
 */
export function createGatewayClient(options: GatewayClientOptions) {
  const doFetch = options.fetch ?? fetch;

  async function call<T>(
    method: string,
    path: string,
    caller: Caller = {},
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Answer<T>> {
    let res: Response;
    try {
      const shopper = options.shopperHeaders ? await options.shopperHeaders() : {};
      res = await doFetch(`${options.baseUrl}${path}`, {
        method,
        headers: {
          ...shopper,
          accept: 'application/json',
          ...(body !== undefined && { 'content-type': 'application/json' }),
          ...(caller.accessToken && { authorization: `Bearer ${caller.accessToken}` }),
          ...(caller.cartId && { 'x-cart-id': caller.cartId }),
          ...(caller.locale && { 'accept-language': caller.locale }),
          ...headers,
        },
        ...(body !== undefined && { body: JSON.stringify(body) }),
        redirect: 'manual',
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (error) {
      const reason = (error as Error).name === 'TimeoutError' ? 'timed out' : 'unreachable';
      throw new GatewayUnavailableError(`gateway ${reason}: ${method} ${path}`);
    }
    if (res.status >= 500) {
      await res.body?.cancel();
      throw new GatewayUnavailableError(
        `gateway answered ${res.status}: ${method} ${path}`,
        res.status,
      );
    }
    const text = await res.text();
    let parsed: unknown = null;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new GatewayUnavailableError(
          `gateway answered non-JSON: ${method} ${path}`,
          res.status,
        );
      }
    }
    return { status: res.status, ok: res.ok, body: parsed as T, headers: res.headers };
  }

  const id = (value: string) => encodeURIComponent(value);

  return {
    call,
    listOffers(query: ListingQuery, caller?: Caller) {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(query)) {
        if (value !== undefined && value !== '') params.set(key, String(value));
      }
      const search = params.size ? `?${params}` : '';
      return call<{ items: Product[]; nextCursor: string | null } & Problem>(
        'GET',
        `/api/offers${search}`,
        caller,
      );
    },
    getOffer: (idOrSlug: string, caller?: Caller) =>
      call<Product & Problem>('GET', `/api/offers/${id(idOrSlug)}`, caller),
    categories: (caller?: Caller) => call<{ items: Category[] }>('GET', '/api/categories', caller),
    getCart: (caller: Caller) => call<Cart & Problem>('GET', '/api/cart', caller),
    addToCart: (caller: Caller, productId: string, quantity: number) =>
      call<Cart & Problem>('POST', '/api/cart/items', caller, { productId, quantity }),
    setQuantity: (caller: Caller, productId: string, quantity: number) =>
      call<Cart & Problem>('PATCH', `/api/cart/items/${id(productId)}`, caller, { quantity }),
    removeFromCart: (caller: Caller, productId: string) =>
      call<Cart & Problem>('DELETE', `/api/cart/items/${id(productId)}`, caller),
    mergeCart: (caller: Caller) => call<Cart & Problem>('POST', '/api/cart/merge', caller),
    checkout: (
      caller: Caller,
      idempotencyKey: string,
      input: { shippingAddress: ShippingAddress; clickId?: string | undefined },
    ) =>
      call<CheckoutAnswer & Problem>('POST', '/api/cart/checkout', caller, input, {
        'idempotency-key': idempotencyKey,
      }),
    orders: (caller: Caller) =>
      call<{ items: Order[] } & Problem>('GET', '/api/cart/orders', caller),
    order: (caller: Caller, orderId: string) =>
      call<Order & Problem>('GET', `/api/cart/orders/${id(orderId)}`, caller),
    signUp: (input: {
      email: string;
      password: string;
      name: string;
      locale: string;
      marketingConsent: boolean;
    }) => call<Problem & { id?: string }>('POST', '/api/auth/signup', {}, input),
    logIn: (email: string, password: string) =>
      call<TokenPair & Problem>('POST', '/api/auth/login', {}, { email, password }),
    refresh: (refreshToken: string) =>
      call<TokenPair & Problem>('POST', '/api/auth/refresh', {}, { refreshToken }),
    logOut: (refreshToken: string) =>
      call<Problem | null>('POST', '/api/auth/logout', {}, { refreshToken }),
    confirmEmailVerification: (token: string) =>
      call<Problem & { email?: string; verified?: boolean }>(
        'POST',
        '/api/auth/email-verification/confirm',
        {},
        { token },
      ),
    requestEmailVerification: (caller: Caller) =>
      call<Problem | null>('POST', '/api/auth/email-verification', caller),
    requestPasswordReset: (email: string, caller: Caller = {}) =>
      call<Problem | null>('POST', '/api/auth/password-reset', caller, { email }),
    confirmPasswordReset: (token: string, password: string) =>
      call<Problem | null>('POST', '/api/auth/password-reset/confirm', {}, { token, password }),
    profile: (caller: Caller) => call<Profile & Problem>('GET', '/api/users/me', caller),
    updateProfile: (
      caller: Caller,
      version: string,
      patch: { displayName?: string | null; locale?: string; marketingConsent?: boolean },
    ) =>
      call<Profile & Problem>('PATCH', '/api/users/me', caller, patch, {
        ...(version && { 'if-match': `W/"${version}"` }),
      }),
    addAddress: (caller: Caller, address: Omit<Address, 'id' | 'isDefaultBilling'>) =>
      call<Address & Problem>('POST', '/api/users/me/addresses', caller, address),
    changeAddress: (caller: Caller, addressId: string, patch: Partial<Address>) =>
      call<Address & Problem>('PATCH', `/api/users/me/addresses/${id(addressId)}`, caller, patch),
    removeAddress: (caller: Caller, addressId: string) =>
      call<Problem | null>('DELETE', `/api/users/me/addresses/${id(addressId)}`, caller),
    eraseAccount: (caller: Caller) => call<Problem | null>('DELETE', '/api/users/me', caller),
    requestEmailChange: (caller: Caller, newEmail: string, password: string) =>
      call<Problem & { message?: string }>('POST', '/api/auth/email-change', caller, {
        newEmail,
        password,
      }),
    confirmEmailChange: (token: string) =>
      call<Problem & { status?: 'waiting_for_other_address' | 'changed'; email?: string }>(
        'POST',
        '/api/auth/email-change/confirm',
        {},
        { token },
      ),
  };
}
