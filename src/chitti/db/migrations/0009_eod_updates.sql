-- What `chitti update-eod` has fetched, one row per trading day: a rerun skips the days
-- already loaded, so an interrupted update resumes where it stopped (owned by compute).
CREATE TABLE IF NOT EXISTS md.eod_updates (
    day         date PRIMARY KEY,
    status      text NOT NULL CHECK (status IN ('loaded', 'missing')),
    rows        integer NOT NULL DEFAULT 0,
    url         text NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
