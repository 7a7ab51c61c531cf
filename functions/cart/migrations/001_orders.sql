-- Orders made at checkout, their state changes, and what makes checkout and payment events
-- idempotent. Carts themselves live in the key-value store (Redis), not here.
CREATE TABLE cart."order" (
  id uuid PRIMARY KEY,
  user_id text NOT NULL,
  status text NOT NULL CHECK (status IN ('pending_payment', 'paid', 'payment_failed', 'cancelled', 'refunded')),
  items jsonb NOT NULL,
  total_amount bigint NOT NULL CHECK (total_amount >= 0),
  currency text NOT NULL,
  shipping_address jsonb NOT NULL,
  click_id uuid,
  payment_provider text,
  provider_payment_id text,
  payment_id uuid,
  refunded_amount bigint NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX order_user_idx ON cart."order" (user_id, created_at DESC, id DESC);

-- Every state change of an order, with the event that caused it.
CREATE TABLE cart.order_transition (
  id uuid PRIMARY KEY,
  order_id uuid NOT NULL REFERENCES cart."order" (id),
  from_status text,
  to_status text NOT NULL,
  event_id text,
  event_type text,
  at timestamptz NOT NULL
);
CREATE INDEX order_transition_order_idx ON cart.order_transition (order_id, at, id);

-- Payment events that arrived before their order (webhook faster than the checkout commit),
-- or before the event they follow (a refund before its payment); applied when possible.
CREATE TABLE cart.pending_payment_event (
  event_source text NOT NULL,
  event_id text NOT NULL,
  order_id uuid NOT NULL,
  type text NOT NULL,
  data jsonb NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (event_source, event_id)
);
CREATE INDEX pending_payment_event_order_idx ON cart.pending_payment_event (order_id, received_at);

-- Idempotency-Key of checkout: same key and body → the stored response.
CREATE TABLE cart.idempotency_key (
  user_id text NOT NULL,
  key text NOT NULL,
  request_hash text NOT NULL,
  status text NOT NULL CHECK (status IN ('running', 'retry', 'done')),
  response_status int,
  response_body jsonb,
  order_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, key)
);

-- Events recorded in the same transaction as the change they describe; a relay publishes them.
CREATE TABLE cart.outbox (
  id uuid PRIMARY KEY,
  type text NOT NULL,
  subject text,
  partition_key text,
  data jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz,
  attempts int NOT NULL DEFAULT 0,
  last_error text
);
CREATE INDEX outbox_pending_idx ON cart.outbox (id) WHERE published_at IS NULL;
CREATE INDEX outbox_pending_key_idx ON cart.outbox (partition_key, id) WHERE published_at IS NULL;

-- Payment events handled (source + id), recorded in the transaction of their effect.
CREATE TABLE cart.inbox (
  source text NOT NULL,
  id text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (source, id)
);
