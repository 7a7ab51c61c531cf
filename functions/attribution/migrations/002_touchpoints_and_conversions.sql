-- Touchpoints, identity, orders, payments and the credit they earn. Every input keeps the
-- fields that make the result a function of the set of events: first claims are decided by
-- (received_at, message_id), never by arrival order.

-- shop.link.clicked (KafkaSource): the click as redirect recorded it.
CREATE TABLE attribution.click (
  click_id uuid PRIMARY KEY,
  link_id uuid NOT NULL,
  affiliate_id text,
  campaign text,
  clicked_at timestamptz NOT NULL,
  bot boolean NOT NULL DEFAULT false
);

-- shop.analytics.page|screen|track calls that carry a click id or UTM parameters.
CREATE TABLE attribution.page_view (
  source_id uuid NOT NULL,
  message_id text NOT NULL,
  anonymous_id text,
  user_id text,
  click_id uuid,
  utm_campaign text,
  utm_source text,
  utm_medium text,
  occurred_at timestamptz NOT NULL,
  received_at timestamptz NOT NULL,
  PRIMARY KEY (source_id, message_id)
);
CREATE INDEX page_view_anonymous_idx ON attribution.page_view (anonymous_id, occurred_at);
CREATE INDEX page_view_user_idx ON attribution.page_view (user_id, occurred_at);
CREATE INDEX page_view_click_idx ON attribution.page_view (click_id);

-- A click belongs to the one visitor whose page view carried it first.
CREATE TABLE attribution.click_claim (
  click_id uuid PRIMARY KEY,
  visitor text NOT NULL,
  received_at timestamptz NOT NULL,
  message_id text NOT NULL
);
CREATE INDEX click_claim_visitor_idx ON attribution.click_claim (visitor);

-- The identity graph: an anonymous id belongs to at most one user (its first identify/alias).
CREATE TABLE attribution.identity_link (
  anonymous_id text PRIMARY KEY,
  user_id text NOT NULL,
  received_at timestamptz NOT NULL,
  message_id text NOT NULL
);
CREATE INDEX identity_link_user_idx ON attribution.identity_link (user_id);

-- Users erased on request: nothing of theirs is taken in again.
CREATE TABLE attribution.erased_user (
  user_id text PRIMARY KEY,
  erased_at timestamptz NOT NULL
);

-- shop.order.created: the verified anchors (user, the click the shopper's browser carried).
CREATE TABLE attribution.orders (
  order_id uuid PRIMARY KEY,
  user_id text,
  click_id uuid,
  total_amount bigint NOT NULL CHECK (total_amount >= 0),
  currency char(3) NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX orders_user_idx ON attribution.orders (user_id);
CREATE INDEX orders_click_idx ON attribution.orders (click_id);

CREATE TABLE attribution.payment (
  payment_id uuid PRIMARY KEY,
  order_id uuid NOT NULL,
  amount bigint NOT NULL CHECK (amount >= 0),
  currency char(3) NOT NULL,
  succeeded_at timestamptz NOT NULL
);
CREATE INDEX payment_order_idx ON attribution.payment (order_id);

CREATE TABLE attribution.refund (
  payment_id uuid NOT NULL,
  provider_refund_id text NOT NULL,
  order_id uuid NOT NULL,
  amount bigint NOT NULL CHECK (amount >= 0),
  currency char(3) NOT NULL,
  refunded_at timestamptz NOT NULL,
  PRIMARY KEY (payment_id, provider_refund_id)
);
CREATE INDEX refund_order_idx ON attribution.refund (order_id);

-- One conversion per order, under the live model.
CREATE TABLE attribution.conversion (
  order_id uuid PRIMARY KEY,
  conversion_id uuid NOT NULL UNIQUE,
  payment_id uuid NOT NULL,
  status text NOT NULL CHECK (status IN ('attributed', 'unattributed', 'mismatched')),
  mismatch_reason text,
  model text NOT NULL,
  amount bigint NOT NULL,
  currency char(3) NOT NULL,
  purchased_at timestamptz NOT NULL,
  version int NOT NULL DEFAULT 0,
  commission_total bigint NOT NULL DEFAULT 0,
  refunded bigint NOT NULL DEFAULT 0,
  credit_reversed bigint NOT NULL DEFAULT 0,
  commission_reversed bigint NOT NULL DEFAULT 0,
  -- Credits stop changing once paid out, or once the shopper was erased.
  paid_out_at timestamptz,
  payout_id uuid,
  frozen_reason text,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX conversion_purchased_idx ON attribution.conversion (purchased_at);

CREATE TABLE attribution.conversion_credit (
  order_id uuid NOT NULL REFERENCES attribution.conversion (order_id),
  position int NOT NULL,
  touchpoint_id text NOT NULL,
  kind text NOT NULL,
  click_id uuid,
  link_id uuid,
  affiliate_id text,
  campaign text,
  touched_at timestamptz NOT NULL,
  weight text NOT NULL,
  credit bigint NOT NULL CHECK (credit >= 0),
  rate_bp int NOT NULL CHECK (rate_bp BETWEEN 0 AND 10000),
  commission bigint NOT NULL CHECK (commission >= 0),
  credit_reversed bigint NOT NULL DEFAULT 0 CHECK (credit_reversed BETWEEN 0 AND credit),
  commission_reversed bigint NOT NULL DEFAULT 0 CHECK (commission_reversed BETWEEN 0 AND commission),
  PRIMARY KEY (order_id, position)
);

CREATE TABLE attribution.commission_rate (
  scope text NOT NULL CHECK (scope IN ('affiliate', 'campaign')),
  key text NOT NULL,
  basis_points int NOT NULL CHECK (basis_points BETWEEN 0 AND 10000),
  version int NOT NULL,
  updated_by text NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (scope, key)
);

CREATE TABLE attribution.payout (
  payout_id uuid PRIMARY KEY,
  period_from timestamptz NOT NULL,
  period_to timestamptz NOT NULL,
  conversions int NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL
);

CREATE TABLE attribution.rescore_job (
  job_id uuid PRIMARY KEY,
  model text NOT NULL,
  period_from timestamptz NOT NULL,
  period_to timestamptz NOT NULL,
  status text NOT NULL CHECK (status IN ('running', 'done', 'failed')),
  total int NOT NULL,
  processed int NOT NULL DEFAULT 0,
  error text,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);

-- Re-scored results, apart from the live conversions (which a re-score never touches).
CREATE TABLE attribution.rescore_result (
  job_id uuid NOT NULL REFERENCES attribution.rescore_job (job_id),
  order_id uuid NOT NULL,
  amount bigint NOT NULL,
  currency char(3) NOT NULL,
  credits jsonb NOT NULL,
  PRIMARY KEY (job_id, order_id)
);
