// Every function `npm run dev` starts, in start order: a function's upstreams and event
// consumers come before it. `npm run new-function` adds new ones above the gateway.

import { analyticsIngest } from '@shop/analytics-ingest';
import { gateway } from '@shop/api-gateway';
import { attribution } from '@shop/attribution';
import { audit } from '@shop/audit';
import { auth } from '@shop/auth';
import { cart } from '@shop/cart';
import { conversionWebhook } from '@shop/conversion-webhook';
import { featureFlag } from '@shop/feature-flag';
import { notification } from '@shop/notification';
import { offer } from '@shop/offer';
import { redirect } from '@shop/redirect';
import { reporting } from '@shop/reporting';
import { user } from '@shop/user';

// new-function: imports above this line

/** What the dev runner needs of a defined function. */
interface DevFunction {
  name: string;
  start(options: {
    env: Record<string, string | undefined>;
    handleSignals: boolean;
  }): Promise<{ port: number; opsUrl?: string; shutdown(reason?: string): Promise<void> }>;
}

export const DEV_FUNCTIONS: readonly DevFunction[] = [
  user,
  auth,
  offer,
  conversionWebhook,
  cart,
  redirect,
  analyticsIngest,
  attribution,
  featureFlag,
  audit,
  reporting,
  notification,
  // new-function: entries above this line
  gateway,
];
