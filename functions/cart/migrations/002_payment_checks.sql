-- A payment pays only its own order for its exact total; refunds accumulate up to what was
-- captured. Orders that do not match a payment wait in payment_review; refunds are recorded once
-- per provider refund id, counted or refused.
ALTER TABLE cart."order" DROP CONSTRAINT order_status_check;
ALTER TABLE cart."order" ADD CONSTRAINT order_status_check CHECK (status IN ('pending_payment',
  'payment_failed', 'cancelled', 'payment_review', 'paid', 'partially_refunded', 'refunded'));
-- NOT VALID: holds for every write from now on without failing on rows written before it.
ALTER TABLE cart."order" ADD CONSTRAINT order_refunded_within_total
  CHECK (refunded_amount >= 0 AND refunded_amount <= total_amount) NOT VALID;

-- Why a transition is not the plain one (a payment that does not match its order).
ALTER TABLE cart.order_transition ADD COLUMN reason text;

-- Every refund reported for an order, once per provider refund id: counted in refunded_amount,
-- or refused (another payment, another currency, beyond the capture) with the reason.
CREATE TABLE cart.order_refund (
  provider_refund_id text PRIMARY KEY,
  order_id uuid NOT NULL REFERENCES cart."order" (id),
  payment_id uuid NOT NULL,
  amount bigint NOT NULL CHECK (amount >= 0),
  currency text NOT NULL,
  counted boolean NOT NULL,
  reason text,
  event_source text NOT NULL,
  event_id text NOT NULL,
  at timestamptz NOT NULL
);
CREATE INDEX order_refund_order_idx ON cart.order_refund (order_id, at);
