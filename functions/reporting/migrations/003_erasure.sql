-- Erasure (shop.user.erased). The ids of an erased person (their user id and the anonymous ids
-- tied to it) are replaced everywhere by random pseudonyms that nothing maps back, so every
-- report keeps its numbers. Kept here: the SHA-256 (hex) of each erased id, never the id, so an
-- event about them that arrives later is not taken in with the id.
CREATE TABLE reporting.erased_ids (
  digest text PRIMARY KEY CHECK (digest ~ '^[0-9a-f]{64}$'),
  erased_at timestamptz NOT NULL
);
