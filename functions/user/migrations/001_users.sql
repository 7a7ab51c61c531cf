-- Customer records: one profile per user id (from auth), their addresses and consent history.
CREATE TABLE users.profile (
  user_id uuid PRIMARY KEY,
  email text NOT NULL CHECK (length(email) BETWEEN 3 AND 320),
  display_name text CHECK (length(display_name) BETWEEN 1 AND 200),
  -- BCP 47 language tag, canonicalised (de-DE).
  locale text CHECK (length(locale) BETWEEN 2 AND 35),
  -- ISO 4217 code.
  preferred_currency text CHECK (preferred_currency ~ '^[A-Z]{3}$'),
  marketing_consent boolean NOT NULL DEFAULT false,
  -- When the consent in force was given; null while not consenting.
  marketing_consent_at timestamptz,
  -- Optimistic concurrency: +1 on every change of the profile or its addresses.
  version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  registered_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  CHECK (marketing_consent OR marketing_consent_at IS NULL)
);

-- Staff search: email prefix and name, both case-insensitive; listing newest first.
CREATE INDEX profile_email_idx ON users.profile ((lower(email) COLLATE "C"));
CREATE INDEX profile_created_idx ON users.profile (created_at DESC, user_id DESC);

CREATE TABLE users.address (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users.profile (user_id) ON DELETE CASCADE,
  label text CHECK (length(label) BETWEEN 1 AND 50),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  line1 text NOT NULL CHECK (length(line1) BETWEEN 1 AND 200),
  line2 text CHECK (length(line2) BETWEEN 1 AND 200),
  postal_code text NOT NULL CHECK (length(postal_code) BETWEEN 1 AND 20),
  city text NOT NULL CHECK (length(city) BETWEEN 1 AND 100),
  region text CHECK (length(region) BETWEEN 1 AND 100),
  country text NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
  phone text CHECK (length(phone) BETWEEN 3 AND 32),
  is_default_shipping boolean NOT NULL DEFAULT false,
  is_default_billing boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);

CREATE INDEX address_user_idx ON users.address (user_id, id);
-- At most one default of each kind per user.
CREATE UNIQUE INDEX address_default_shipping_idx ON users.address (user_id)
  WHERE is_default_shipping;
CREATE UNIQUE INDEX address_default_billing_idx ON users.address (user_id)
  WHERE is_default_billing;

-- Every grant and withdrawal of marketing consent (proof of consent, GDPR Art. 7(1)).
CREATE TABLE users.consent_event (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users.profile (user_id) ON DELETE CASCADE,
  purpose text NOT NULL DEFAULT 'marketing' CHECK (purpose IN ('marketing')),
  granted boolean NOT NULL,
  origin text NOT NULL CHECK (origin IN ('registration', 'profile')),
  recorded_at timestamptz NOT NULL
);

CREATE INDEX consent_event_user_idx ON users.consent_event (user_id, id);

-- Ids of erased users, nothing else: a late shop.user.registered must not bring them back.
CREATE TABLE users.erased_user (
  user_id uuid PRIMARY KEY,
  erased_at timestamptz NOT NULL
);

-- Events recorded in the same transaction as the change they describe; a relay publishes them.
CREATE TABLE users.outbox (
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

CREATE INDEX outbox_pending_idx ON users.outbox (id) WHERE published_at IS NULL;
CREATE INDEX outbox_pending_key_idx ON users.outbox (partition_key, id)
  WHERE published_at IS NULL;

-- Events handled, recorded in the transaction of the handler's writes (dedupe on source + id).
CREATE TABLE users.inbox (
  source text NOT NULL,
  id text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (source, id)
);
