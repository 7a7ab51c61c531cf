-- The read models: facts as the events state them (each kept order-independently: immutable
-- facts keyed by their own id, versioned ones replaced only by a higher version), each order's
-- and refund's current contribution, and the per-zone daily aggregates kept from the deltas of
-- those contributions. Money is bigint minor units with its currency, never mixed.

CREATE TABLE reporting.orders (
  order_id uuid PRIMARY KEY,
  user_id uuid,
  total_amount bigint NOT NULL CHECK (total_amount >= 0),
  currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  click_id uuid,
  created_at timestamptz NOT NULL,
  cancelled_at timestamptz,
  cancel_reason text
);
CREATE INDEX orders_created_idx ON reporting.orders (created_at);
CREATE INDEX orders_user_idx ON reporting.orders (user_id) WHERE user_id IS NOT NULL;

-- A cancellation may arrive before its order: kept here until (and after) the order exists.
CREATE TABLE reporting.order_cancellations (
  order_id uuid PRIMARY KEY,
  reason text NOT NULL,
  cancelled_at timestamptz NOT NULL
);

CREATE TABLE reporting.order_items (
  order_id uuid NOT NULL,
  line int NOT NULL,
  product_id uuid NOT NULL,
  slug text NOT NULL,
  name text NOT NULL,
  quantity int NOT NULL CHECK (quantity > 0),
  unit_amount bigint NOT NULL CHECK (unit_amount >= 0),
  currency text NOT NULL,
  PRIMARY KEY (order_id, line)
);

CREATE TABLE reporting.payments (
  payment_id uuid PRIMARY KEY,
  order_id uuid NOT NULL,
  amount bigint NOT NULL CHECK (amount >= 0),
  currency text NOT NULL,
  succeeded_at timestamptz NOT NULL
);
CREATE INDEX payments_order_idx ON reporting.payments (order_id);

CREATE TABLE reporting.refunds (
  payment_id uuid NOT NULL,
  provider_refund_id text NOT NULL,
  order_id uuid NOT NULL,
  amount bigint NOT NULL CHECK (amount >= 0),
  currency text NOT NULL,
  refunded_at timestamptz NOT NULL,
  PRIMARY KEY (payment_id, provider_refund_id)
);
CREATE INDEX refunds_order_idx ON reporting.refunds (order_id);

-- Payment events cart refused to apply (shop.order.payment_mismatched): not counted.
CREATE TABLE reporting.payment_mismatches (
  payment_event_id text PRIMARY KEY,
  payment_event_type text NOT NULL,
  payment_id uuid NOT NULL,
  provider_refund_id text,
  order_id uuid NOT NULL
);
CREATE INDEX payment_mismatches_order_idx ON reporting.payment_mismatches (order_id);

-- What each order adds to the reports now: a paid order counts once, in its currency, on the
-- instant of its first matching payment. Reports and the daily aggregates derive from it.
CREATE TABLE reporting.sales (
  order_id uuid PRIMARY KEY,
  payment_id uuid NOT NULL,
  currency text NOT NULL,
  revenue bigint NOT NULL,
  paid_at timestamptz NOT NULL
);
CREATE INDEX sales_paid_idx ON reporting.sales (paid_at);

-- What each refund takes back now: counted once its payment is a counted sale.
CREATE TABLE reporting.refunds_counted (
  payment_id uuid NOT NULL,
  provider_refund_id text NOT NULL,
  order_id uuid NOT NULL,
  currency text NOT NULL,
  amount bigint NOT NULL,
  refunded_at timestamptz NOT NULL,
  PRIMARY KEY (payment_id, provider_refund_id)
);
CREATE INDEX refunds_counted_refunded_idx ON reporting.refunds_counted (refunded_at);

-- The zones whose daily aggregates are kept (REPORTING_TIME_ZONES; a new one is backfilled
-- from sales and refunds_counted at start).
CREATE TABLE reporting.aggregate_zones (
  zone text PRIMARY KEY
);

-- One row per zone, local day and currency: a year's report reads at most 366 per currency.
CREATE TABLE reporting.daily_sales (
  zone text NOT NULL,
  day date NOT NULL,
  currency text NOT NULL,
  orders bigint NOT NULL DEFAULT 0,
  revenue bigint NOT NULL DEFAULT 0,
  refunds bigint NOT NULL DEFAULT 0,
  refunded bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (zone, day, currency)
);

-- Page views: a view starts a session when its visitor's previous view is over 30 minutes
-- earlier (or there is none); a late view may end a later view's session start.
CREATE TABLE reporting.page_views (
  visitor_key text NOT NULL,
  viewed_at timestamptz NOT NULL,
  event_key text NOT NULL,
  session_start boolean NOT NULL,
  PRIMARY KEY (visitor_key, viewed_at, event_key)
);
CREATE INDEX page_views_start_idx ON reporting.page_views (viewed_at) WHERE session_start;

CREATE TABLE reporting.daily_sessions (
  zone text NOT NULL,
  day date NOT NULL,
  sessions bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (zone, day)
);

-- The Segment track calls the reports read: "Product Added" (funnel) and "Experiment Viewed"
-- (feature-flag's exposures: properties.experiment_id, properties.variant_id).
CREATE TABLE reporting.tracks (
  event_key text PRIMARY KEY,
  event text NOT NULL,
  visitor_key text NOT NULL,
  anonymous_id text,
  user_id text,
  occurred_at timestamptz NOT NULL,
  experiment_id text,
  variant_id text
);
CREATE INDEX tracks_event_idx ON reporting.tracks (event, occurred_at);

-- Anonymous ids joined to user ids by any analytics call carrying both (identify above all).
CREATE TABLE reporting.identities (
  anonymous_id text NOT NULL,
  user_id text NOT NULL,
  PRIMARY KEY (anonymous_id, user_id)
);

CREATE TABLE reporting.clicks (
  click_id uuid PRIMARY KEY,
  link_id uuid NOT NULL,
  affiliate_id text,
  campaign text,
  visitor_hash text,
  bot boolean NOT NULL,
  clicked_at timestamptz NOT NULL
);
CREATE INDEX clicks_clicked_idx ON reporting.clicks (clicked_at);

-- Attributed conversions: the highest version of each is the answer.
CREATE TABLE reporting.conversions (
  conversion_id uuid PRIMARY KEY,
  order_id uuid NOT NULL,
  version int NOT NULL,
  model text NOT NULL,
  currency text NOT NULL,
  revenue bigint NOT NULL,
  commission bigint NOT NULL,
  purchased_at timestamptz NOT NULL
);
CREATE INDEX conversions_purchased_idx ON reporting.conversions (purchased_at);

CREATE TABLE reporting.conversion_touchpoints (
  conversion_id uuid NOT NULL,
  touchpoint_id text NOT NULL,
  affiliate_id text,
  campaign text,
  credit bigint NOT NULL,
  commission bigint NOT NULL,
  PRIMARY KEY (conversion_id, touchpoint_id)
);

CREATE TABLE reporting.conversion_reversals (
  conversion_id uuid PRIMARY KEY,
  version int NOT NULL
);

CREATE TABLE reporting.reversal_touchpoints (
  conversion_id uuid NOT NULL,
  touchpoint_id text NOT NULL,
  credit_reversed bigint NOT NULL,
  commission_reversed bigint NOT NULL,
  PRIMARY KEY (conversion_id, touchpoint_id)
);
