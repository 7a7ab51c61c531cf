-- Staff work on orders: every order has a version (its ETag; a staff edit names the version it
-- saw with If-Match), staff list all orders newest first, and a refund staff ask the provider
-- for is recorded before it is sent, so a retry never refunds twice and the refundable amount
-- counts refunds asked for but not yet confirmed.
ALTER TABLE cart."order" ADD COLUMN version int NOT NULL DEFAULT 1;

CREATE FUNCTION cart.bump_order_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.version := OLD.version + 1;
  RETURN NEW;
END;
$$;
CREATE TRIGGER order_version BEFORE UPDATE ON cart."order"
  FOR EACH ROW EXECUTE FUNCTION cart.bump_order_version();

CREATE INDEX order_created_idx ON cart."order" (created_at DESC, id DESC);
CREATE INDEX order_status_created_idx ON cart."order" (status, created_at DESC, id DESC);

CREATE TABLE cart.refund_request (
  id uuid PRIMARY KEY,
  order_id uuid NOT NULL REFERENCES cart."order" (id),
  -- The staff member's Idempotency-Key: the same key is the same refund.
  idempotency_key text NOT NULL,
  request_hash text NOT NULL,
  amount bigint NOT NULL CHECK (amount > 0),
  currency text NOT NULL,
  reason text NOT NULL CHECK (reason IN ('requested_by_customer', 'duplicate', 'fraudulent', 'other')),
  note text,
  requested_by text NOT NULL,
  -- requested: stored, not yet accepted by the provider; sent: the provider made the refund
  -- (provider_refund_id); failed: the provider refused it (error), nothing was refunded.
  status text NOT NULL CHECK (status IN ('requested', 'sent', 'failed')),
  provider_refund_id text UNIQUE,
  error text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  UNIQUE (order_id, idempotency_key)
);
CREATE INDEX refund_request_order_idx ON cart.refund_request (order_id, created_at);
