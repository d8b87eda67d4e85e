-- The model registry, stored feature panels and predictions (issue 15).
--
-- ml.models: one row per trained model version. `name` is what rules say (`ml.<name>`);
-- `version` counts up per name (the newest serves). The row keeps what was trained on what:
-- target and horizon, the feature names in column order, the universe, the date range of the
-- labelled data, the estimator's parameters, the out-of-sample metrics (fold table and
-- baselines) and the artefact (bytes of the trained model, only ever loaded from here).
ALTER TABLE ml.models ADD COLUMN IF NOT EXISTS target text;
ALTER TABLE ml.models ADD COLUMN IF NOT EXISTS horizon_days integer;
ALTER TABLE ml.models ADD COLUMN IF NOT EXISTS features text[] NOT NULL DEFAULT '{}';
ALTER TABLE ml.models ADD COLUMN IF NOT EXISTS symbols text[] NOT NULL DEFAULT '{}';
ALTER TABLE ml.models ADD COLUMN IF NOT EXISTS data_start date;
ALTER TABLE ml.models ADD COLUMN IF NOT EXISTS data_end date;
ALTER TABLE ml.models ADD COLUMN IF NOT EXISTS owner text;
CREATE INDEX IF NOT EXISTS models_name_idx ON ml.models (name, created_at DESC);

-- ml.features stores a feature panel as one row per (feature set, symbol, day): `vals` holds
-- the values in the order of ml.feature_sets.features (NaN where undefined), so a set of 200
-- features costs one row per symbol and day instead of 200.
CREATE TABLE IF NOT EXISTS ml.feature_sets (
    name        text PRIMARY KEY,
    features    text[] NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS features_symbol_idx ON ml.features (symbol, ts);

-- Predictions are read by symbol and day (rules evaluate one symbol's bars).
CREATE INDEX IF NOT EXISTS predictions_symbol_idx ON ml.predictions (symbol, ts);

GRANT INSERT, UPDATE, DELETE ON ml.feature_sets TO chitti_compute;
GRANT SELECT ON ml.feature_sets TO chitti_news, chitti_signals;

-- A long job says what it is doing while it runs (training: "fold 3 of 8"), next to progress.
ALTER TABLE auth.jobs ADD COLUMN IF NOT EXISTS message text;
