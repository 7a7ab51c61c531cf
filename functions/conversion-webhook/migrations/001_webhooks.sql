-- Provider payments, the provider events received (each once), and the refunds counted (each once).
CREATE TABLE conversion_webhook.payment (
  -- Our stable id of the provider's payment (UUIDv7), the paymentId of the payment events.
  id uuid PRIMARY KEY,
  provider text NOT NULL CHECK (provider IN ('stripe', 'standard')),
  provider_payment_id text NOT NULL CHECK (length(provider_payment_id) BETWEEN 1 AND 255),
  -- metadata.orderId of the first event that named one.
  order_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (provider, provider_payment_id)
);

CREATE TABLE conversion_webhook.provider_event (
  id uuid PRIMARY KEY,
  provider text NOT NULL CHECK (provider IN ('stripe', 'standard')),
  -- Stripe's evt_… id; for Standard Webhooks the webhook-id header.
  event_id text NOT NULL CHECK (length(event_id) BETWEEN 1 AND 255),
  type text NOT NULL,
  -- processed: domain event(s) written; ignored: a type we do not handle; unmatched: no usable
  -- metadata.orderId (or an object missing what we need), logged and kept for a person to look at.
  status text NOT NULL CHECK (status IN ('processed', 'ignored', 'unmatched')),
  note text,
  payment_id uuid REFERENCES conversion_webhook.payment (id),
  order_id uuid,
  -- The raw body exactly as signed (JSON text).
  payload text NOT NULL,
  -- The signed timestamp of the delivery and when we stored it.
  signed_at timestamptz NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (provider, event_id)
);

CREATE INDEX provider_event_payment_idx ON conversion_webhook.provider_event (payment_id);
CREATE INDEX provider_event_unmatched_idx ON conversion_webhook.provider_event (received_at)
  WHERE status = 'unmatched';

-- Every refund is counted once, whichever charge.refunded event first lists it.
CREATE TABLE conversion_webhook.refund (
  provider text NOT NULL,
  provider_refund_id text NOT NULL,
  payment_id uuid NOT NULL REFERENCES conversion_webhook.payment (id),
  amount bigint NOT NULL CHECK (amount >= 0),
  currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  provider_event_id uuid NOT NULL REFERENCES conversion_webhook.provider_event (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (provider, provider_refund_id)
);
