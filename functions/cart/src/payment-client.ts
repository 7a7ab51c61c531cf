// Creates payment intents at the provider (Stripe's API shape; the simulator in dev).

/** The provider's answer the order keeps and the shopper needs. */
export interface PaymentIntent {
  id: string;
  clientSecret: string;
  redirectUrl: string | null;
}

export interface PaymentClient {
  /**
   * Creates (or, for the same idempotency key, finds again) the intent of an order.
   * @example await payments.createIntent({ orderId, amount: 1999, currency: 'EUR' });
   */
  createIntent(input: {
    orderId: string;
    amount: number;
    currency: string;
    description?: string;
  }): Promise<PaymentIntent>;
}

export interface PaymentClientOptions {
  baseUrl: string;
  apiKey: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export class PaymentProviderError extends Error {
  override name = 'PaymentProviderError';
}

/**
 * The provider client: `POST /v1/payment_intents` with the order id as `Idempotency-Key`, so a
 * retried checkout never makes a second intent.
 */
export function createPaymentClient(options: PaymentClientOptions): PaymentClient {
  const base = options.baseUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 5000;
  return {
    async createIntent(input) {
      let res: Response;
      try {
        res = await doFetch(`${base}/v1/payment_intents`, {
          method: 'POST',
          redirect: 'manual',
          signal: AbortSignal.timeout(timeoutMs),
          headers: {
            authorization: `Bearer ${options.apiKey}`,
            'content-type': 'application/json',
            'idempotency-key': input.orderId,
          },
          body: JSON.stringify({
            amount: input.amount,
            currency: input.currency.toLowerCase(),
            metadata: { orderId: input.orderId },
            ...(input.description && { description: input.description }),
          }),
        });
      } catch (error) {
        throw new PaymentProviderError('the payment provider is not reachable', { cause: error });
      }
      if (!res.ok) {
        const text = await res.text().catch(() => '');
        throw new PaymentProviderError(
          `the payment provider answered ${res.status}: ${text.slice(0, 200)}`,
        );
      }
      const body = (await res.json()) as {
        id?: unknown;
        client_secret?: unknown;
        next_action?: { redirect_to_url?: { url?: unknown } } | null;
      };
      if (typeof body.id !== 'string' || typeof body.client_secret !== 'string') {
        throw new PaymentProviderError('the payment provider answered without an intent id');
      }
      const url = body.next_action?.redirect_to_url?.url;
      return {
        id: body.id,
        clientSecret: body.client_secret,
        redirectUrl: typeof url === 'string' ? url : null,
      };
    },
  };
}
