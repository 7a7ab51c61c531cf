-- The request that caused each event (the x-request-id it was served under, or the one the
-- event handled here carried), published as the `requestid` CloudEvents extension so audit
-- entries and logs downstream name the request that started the work.
ALTER TABLE feature_flag.outbox ADD COLUMN request_id text;
