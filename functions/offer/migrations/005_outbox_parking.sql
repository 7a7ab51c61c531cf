-- The outbox relay's retry state, kept in the row so every replica honours it: when the event
-- is next due (exponential backoff with jitter; later events of its partition key wait behind
-- it, other keys do not) and when it was last tried. A parked event is one the broker refused
-- for good, one over the size limit or one out of attempts: it is no longer retried, later
-- events of its key wait behind it (per-key order), and staff see and retry it at
-- GET/POST /api/admin/events/offer/parked. traceparent continues the trace of what caused it.
ALTER TABLE offer.outbox
  ADD COLUMN next_attempt_at timestamptz,
  ADD COLUMN last_attempt_at timestamptz,
  ADD COLUMN parked_at timestamptz,
  ADD COLUMN parked_reason text
    CHECK (parked_reason IN ('refused', 'too_large', 'invalid', 'exhausted')),
  ADD COLUMN traceparent text;
CREATE INDEX outbox_parked_idx ON offer.outbox (id) WHERE parked_at IS NOT NULL;
