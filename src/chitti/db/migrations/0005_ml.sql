-- Machine learning: models, stored features and predictions (owned by compute).
CREATE TABLE IF NOT EXISTS ml.models (
    id          bigserial PRIMARY KEY,
    name        text NOT NULL,
    version     text NOT NULL,
    kind        text NOT NULL,
    params      jsonb NOT NULL DEFAULT '{}',
    metrics     jsonb NOT NULL DEFAULT '{}',
    artifact    bytea,
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (name, version)
);

CREATE TABLE IF NOT EXISTS ml.features (
    feature_set  text NOT NULL,
    symbol       text NOT NULL,
    ts           date NOT NULL,
    vals         double precision[] NOT NULL,
    PRIMARY KEY (feature_set, symbol, ts)
);

CREATE TABLE IF NOT EXISTS ml.predictions (
    id            bigserial PRIMARY KEY,
    model_id      bigint NOT NULL REFERENCES ml.models (id) ON DELETE CASCADE,
    symbol        text NOT NULL,
    ts            date NOT NULL,
    horizon_days  integer NOT NULL CHECK (horizon_days > 0),
    value         double precision NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (model_id, symbol, ts, horizon_days)
);
