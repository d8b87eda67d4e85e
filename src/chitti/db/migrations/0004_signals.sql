-- Signals: alerts (announced with NOTIFY), matched patterns, alert rules (signal-service)
-- and stored backtests (compute).
CREATE TABLE IF NOT EXISTS signals.alerts (
    id           bigserial PRIMARY KEY,
    created_at   timestamptz NOT NULL DEFAULT now(),
    ts           timestamptz NOT NULL,          -- when the event happened
    symbol       text NOT NULL,
    kind         text NOT NULL,                 -- news | technical | combined
    rule         text,
    direction    text NOT NULL CHECK (direction IN ('bullish', 'bearish', 'neutral')),
    impact       double precision NOT NULL CHECK (impact BETWEEN 0 AND 1),
    confidence   double precision NOT NULL CHECK (confidence BETWEEN 0 AND 1),
    explanation  text NOT NULL,
    sources      jsonb NOT NULL DEFAULT '{}',   -- article ids, indicator values
    dedup_key    text UNIQUE
);
CREATE INDEX IF NOT EXISTS alerts_symbol_idx ON signals.alerts (symbol, id DESC);
CREATE INDEX IF NOT EXISTS alerts_created_idx ON signals.alerts (created_at DESC);

-- Every new alert is announced (payload: its id); each gateway LISTENs and fans it out.
CREATE OR REPLACE FUNCTION signals.notify_new_alert() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('new_alert', NEW.id::text);
    RETURN NEW;
END
$$;
DROP TRIGGER IF EXISTS alerts_notify ON signals.alerts;
CREATE TRIGGER alerts_notify AFTER INSERT ON signals.alerts
    FOR EACH ROW EXECUTE FUNCTION signals.notify_new_alert();

CREATE TABLE IF NOT EXISTS signals.patterns (
    id         bigserial PRIMARY KEY,
    symbol     text NOT NULL,
    ts         date NOT NULL,
    pattern    text NOT NULL,
    direction  text NOT NULL CHECK (direction IN ('bullish', 'bearish', 'neutral')),
    strength   double precision,
    details    jsonb NOT NULL DEFAULT '{}',
    UNIQUE (symbol, ts, pattern)
);

CREATE TABLE IF NOT EXISTS signals.rules (
    id          bigserial PRIMARY KEY,
    name        text NOT NULL UNIQUE,
    version     integer NOT NULL DEFAULT 1,
    definition  jsonb NOT NULL,
    enabled     boolean NOT NULL DEFAULT true,
    cooldown_s  integer NOT NULL DEFAULT 86400 CHECK (cooldown_s >= 0),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS signals.backtests (
    id          bigserial PRIMARY KEY,
    created_at  timestamptz NOT NULL DEFAULT now(),
    strategy    text NOT NULL,
    spec        jsonb NOT NULL,
    params      jsonb NOT NULL DEFAULT '{}',
    symbols     text[] NOT NULL,
    start_date  date,
    end_date    date,
    metrics     jsonb NOT NULL,
    equity      jsonb NOT NULL,
    trades      jsonb NOT NULL
);

GRANT INSERT, UPDATE, DELETE ON signals.alerts, signals.patterns, signals.rules
    TO chitti_signals;
GRANT USAGE, SELECT ON SEQUENCE signals.alerts_id_seq, signals.patterns_id_seq,
    signals.rules_id_seq TO chitti_signals;
GRANT INSERT, UPDATE, DELETE ON signals.backtests TO chitti_compute;
GRANT USAGE, SELECT ON SEQUENCE signals.backtests_id_seq TO chitti_compute;
