-- Who gets mail, what was asked to be sent, and what became of it.

-- A shopper's address, language and marketing consent, kept from auth's and user's events
-- (shop.user.registered, shop.user.email_changed); order events name only the user id.
CREATE TABLE notification.recipient (
  user_id uuid PRIMARY KEY,
  email text NOT NULL CHECK (length(email) BETWEEN 3 AND 320),
  display_name text CHECK (length(display_name) BETWEEN 1 AND 200),
  locale text CHECK (length(locale) BETWEEN 2 AND 35),
  marketing_consent boolean NOT NULL DEFAULT false,
  -- When the shopper used the one-click unsubscribe (consent then stays off).
  unsubscribed_at timestamptz,
  updated_at timestamptz NOT NULL
);

-- Users erased on request: only the pseudonymous id stays, so a late or replayed event about
-- them sends nothing and stores no address again.
CREATE TABLE notification.erased_user (
  user_id uuid PRIMARY KEY,
  erased_at timestamptz NOT NULL
);

-- One row per (event, channel, recipient): its key is stored before anything is sent, the
-- result after. The dispatcher polls the due rows (pending, or a send whose lease ran out).
CREATE TABLE notification.message (
  id uuid PRIMARY KEY,
  -- source|id of the event, channel, SHA-256 of the address: unique, so a redelivered or
  -- replayed event finds its message and sends nothing again.
  idempotency_key text NOT NULL UNIQUE,
  cause_type text NOT NULL,
  cause_source text NOT NULL,
  cause_id text NOT NULL,
  user_id uuid,
  channel text NOT NULL CHECK (channel IN ('email', 'sms', 'push')),
  category text NOT NULL CHECK (category IN ('transactional', 'marketing')),
  template text NOT NULL,
  locale text NOT NULL,
  -- The address (email, phone number, push endpoint); null once its user is erased.
  recipient text,
  -- What the template renders from; emptied when the user is erased.
  payload jsonb NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'suppressed')),
  attempts int NOT NULL DEFAULT 0,
  next_attempt_at timestamptz,
  -- A send in progress: past this, the dispatcher takes it up again (the process died).
  lease_until timestamptz,
  last_error text,
  suppressed_reason text CHECK (suppressed_reason IN ('erased', 'no_consent', 'no_recipient')),
  provider_message_id text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  sent_at timestamptz
);
CREATE INDEX message_due_idx ON notification.message (next_attempt_at)
  WHERE status IN ('pending', 'sending');
CREATE INDEX message_status_idx ON notification.message (status, created_at, id);
CREATE INDEX message_user_idx ON notification.message (user_id);
