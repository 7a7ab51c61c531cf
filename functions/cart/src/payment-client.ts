// Creates payment intents and refunds at the provider (Stripe's API shape; the simulator in dev).

/** The provider's answer the order keeps and the shopper needs. */
export interface PaymentIntent {
  id: string;
  clientSecret: string;
  redirectUrl: string | null;
}

/** A refund the provider made (Stripe's `refund` object, what cart keeps of it). */
export interface ProviderRefund {
  id: string;
  amount: number;
  status: string;
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
  /**
   * Refunds (part of) a paid intent; the same idempotency key finds the same refund again.
   * @example await payments.createRefund({ paymentIntentId, amount: 500, idempotencyKey: requestId, metadata: { orderId } });
   */
  createRefund(input: {
    paymentIntentId: string;
    amount: number;
    idempotencyKey: string;
    reason?: 'requested_by_customer' | 'duplicate' | 'fraudulent';
    metadata: Record<string, string>;
  }): Promise<ProviderRefund>;
}

export interface PaymentClientOptions {
  baseUrl: string;
  apiKey: string;
  timeoutMs?: number;
  /** The shop's page the shopper returns to after paying, `{orderId}` replaced per order. */
  returnUrl?: string | undefined;
  fetch?: typeof fetch;
}

/**
 * The return URL of an order: the template's `{orderId}` replaced (the id is a UUID, encoded
 * anyway), or undefined without a template.
 * @example orderReturnUrl('https://shop.example/orders/{orderId}', id) // 'https://shop.example/orders/0190…'
 */
export function orderReturnUrl(template: string | undefined, orderId: string): string | undefined {
  return template?.replaceAll('{orderId}', encodeURIComponent(orderId));
}

export class PaymentProviderError extends Error {
  override name = 'PaymentProviderError';
  /**
   * The provider's HTTP status when it answered; a 4xx is a refusal (the request will not
   * succeed as it is), none or a 5xx an outage worth a retry with the same idempotency key.
   */
  constructor(message: string, options?: ErrorOptions & { status?: number }) {
    super(message, options);
    this.status = options?.status;
  }
  readonly status: number | undefined;
  /** Whether the provider refused the request (a 4xx): retrying it as it is cannot help. */
  get refused(): boolean {
    return this.status !== undefined && this.status >= 400 && this.status < 500;
  }
}

/**
 * The provider client: `POST /v1/payment_intents` with the order id as `Idempotency-Key`, so a
 * retried checkout never makes a second intent.
 */
export function createPaymentClient(options: PaymentClientOptions): PaymentClient {
  const base = options.baseUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 5000;
  /** POSTs a JSON body under an idempotency key; the provider's JSON answer, or the error. */
  async function post(path: string, idempotencyKey: string, body: unknown): Promise<unknown> {
    let res: Response;
    try {
      res = await doFetch(`${base}${path}`, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
        headers: {
          authorization: `Bearer ${options.apiKey}`,
          'content-type': 'application/json',
          'idempotency-key': idempotencyKey,
        },
        body: JSON.stringify(body),
      });
    } catch (error) {
      throw new PaymentProviderError('the payment provider is not reachable', { cause: error });
    }
    if (!res.ok) {
      const text = await res.text().catch(() => '');
      throw new PaymentProviderError(
        `the payment provider answered ${res.status}: ${text.slice(0, 200)}`,
        { status: res.status },
      );
    }
    return res.json();
  }

  return {
    async createIntent(input) {
      const body = (await post('/v1/payment_intents', input.orderId, {
        amount: input.amount,
        currency: input.currency.toLowerCase(),
        metadata: { orderId: input.orderId },
        ...(input.description && { description: input.description }),
        ...(options.returnUrl && { return_url: orderReturnUrl(options.returnUrl, input.orderId) }),
      })) as {
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
    async createRefund(input) {
      const body = (await post('/v1/refunds', input.idempotencyKey, {
        payment_intent: input.paymentIntentId,
        amount: input.amount,
        ...(input.reason && { reason: input.reason }),
        metadata: input.metadata,
      })) as { id?: unknown; amount?: unknown; status?: unknown };
      if (typeof body.id !== 'string' || typeof body.amount !== 'number') {
        throw new PaymentProviderError('the payment provider answered without a refund id');
      }
      return {
        id: body.id,
        amount: body.amount,
        status: typeof body.status === 'string' ? body.status : 'unknown',
      };
    },
  };
}
