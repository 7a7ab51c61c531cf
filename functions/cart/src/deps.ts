import type { Database } from '@shop/shared';
import type { CartsDeps } from './flows/carts.js';
import type { CheckoutDeps } from './flows/checkout.js';

/** The dependencies route handlers use, defaults filled in (see `createApp`). */
export interface CartDeps {
  db: Database;
  carts: CartsDeps;
  checkout: CheckoutDeps;
}
