-- Market data a trader can trust: corporate actions (prices are adjusted on read, never
-- rewritten), symbol renames, and intraday bars. All owned by compute (md.*).

-- One row per action; a purpose text that announces several (a dividend and a special
-- dividend) gives one row per part. `ratio_num`/`ratio_den` follow NSE's notation:
--   split:          face value from ratio_num to ratio_den (each share becomes num/den shares)
--   bonus, rights:  ratio_num new shares for every ratio_den held
-- `amount` is rupees per share: the dividend, or the rights issue price (face value + premium).
CREATE TABLE IF NOT EXISTS md.corporate_actions (
    symbol       text NOT NULL,
    ex_date      date NOT NULL,
    purpose      text NOT NULL,               -- the raw purpose text as NSE printed it
    part         smallint NOT NULL DEFAULT 0, -- position of this action within `purpose`
    kind         text NOT NULL
                 CHECK (kind IN ('split', 'bonus', 'dividend', 'rights', 'demerger', 'other')),
    ratio_num    double precision CHECK (ratio_num > 0),
    ratio_den    double precision CHECK (ratio_den > 0),
    amount       double precision CHECK (amount >= 0),
    series       text,
    face_value   double precision,
    record_date  date,
    source       text NOT NULL,
    loaded_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (symbol, ex_date, purpose, part)
);
CREATE INDEX IF NOT EXISTS corporate_actions_kind_idx ON md.corporate_actions (kind, ex_date);

-- Renames: from `effective_date` on, `old_symbol` trades as `new_symbol`. Reads of the new
-- symbol include the old symbol's bars before that date; loads map old to new.
CREATE TABLE IF NOT EXISTS md.symbol_changes (
    old_symbol      text NOT NULL,
    new_symbol      text NOT NULL,
    effective_date  date NOT NULL,
    company         text,
    source          text NOT NULL,
    PRIMARY KEY (old_symbol, effective_date),
    CHECK (old_symbol <> new_symbol)
);
CREATE INDEX IF NOT EXISTS symbol_changes_new_idx ON md.symbol_changes (new_symbol);

-- Intraday bars as printed (unadjusted), stamped with the bar's opening instant. `interval`
-- is the stored bar length ('1m', '5m', ...); coarser intervals are resampled on read.
-- TimescaleDB makes it a hypertable; otherwise it is range-partitioned by year (loads create
-- the partitions they need) with a default partition for anything else.
DO $$
DECLARE
    timescale boolean := EXISTS (SELECT 1 FROM pg_available_extensions
                                 WHERE name = 'timescaledb')
                         AND current_setting('shared_preload_libraries') LIKE '%timescaledb%';
BEGIN
    EXECUTE 'CREATE TABLE IF NOT EXISTS md.intraday_bars (
        symbol    text NOT NULL,
        interval  text NOT NULL,
        ts        timestamptz NOT NULL,
        open      double precision NOT NULL CHECK (open > 0),
        high      double precision NOT NULL CHECK (high > 0),
        low       double precision NOT NULL CHECK (low > 0),
        close     double precision NOT NULL CHECK (close > 0),
        volume    bigint NOT NULL DEFAULT 0 CHECK (volume >= 0),
        PRIMARY KEY (symbol, interval, ts)
    )' || CASE WHEN timescale THEN '' ELSE ' PARTITION BY RANGE (ts)' END;
    IF timescale THEN
        PERFORM create_hypertable('md.intraday_bars', 'ts',
                                  chunk_time_interval => interval '1 month',
                                  if_not_exists => true);
    ELSE
        CREATE TABLE IF NOT EXISTS md.intraday_bars_default PARTITION OF md.intraday_bars DEFAULT;
    END IF;
END
$$;
