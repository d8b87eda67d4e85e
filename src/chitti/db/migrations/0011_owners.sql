-- Who a user rule and a stored backtest belong to (a gateway user name; NULL: stored before
-- there were users, visible to everyone). Users see and change only their own unless admin.
ALTER TABLE signals.rules ADD COLUMN IF NOT EXISTS owner text;
ALTER TABLE signals.backtests ADD COLUMN IF NOT EXISTS owner text;
CREATE INDEX IF NOT EXISTS backtests_owner_idx ON signals.backtests (owner, id DESC);
