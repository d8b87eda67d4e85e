-- Market data: the symbol master and end-of-day bars (owned by compute).
CREATE TABLE IF NOT EXISTS md.symbols (
    symbol      text PRIMARY KEY,
    name        text NOT NULL,
    isin        text,
    series      text,
    listed_on   date,
    sector      text,
    industry    text,
    aliases     text[] NOT NULL DEFAULT '{}',
    indices     text[] NOT NULL DEFAULT '{}',   -- e.g. {NIFTY 50, NIFTY 100}
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS symbols_isin_idx ON md.symbols (isin);

-- Daily bars. `ts` is the trading date (Asia/Kolkata session), prices in INR, unadjusted.
CREATE TABLE IF NOT EXISTS md.eod_prices (
    symbol  text NOT NULL,
    ts      date NOT NULL,
    open    double precision NOT NULL CHECK (open > 0),
    high    double precision NOT NULL CHECK (high > 0),
    low     double precision NOT NULL CHECK (low > 0),
    close   double precision NOT NULL CHECK (close > 0),
    volume  bigint NOT NULL DEFAULT 0 CHECK (volume >= 0),
    PRIMARY KEY (symbol, ts),
    CHECK (low <= high)
);
CREATE INDEX IF NOT EXISTS eod_prices_ts_idx ON md.eod_prices (ts);

-- Stored indicator values (one row per symbol, date, indicator+params, output).
CREATE TABLE IF NOT EXISTS md.indicators (
    symbol     text NOT NULL,
    ts         date NOT NULL,
    indicator  text NOT NULL,           -- catalogue name, e.g. 'rsi'
    params     text NOT NULL DEFAULT '', -- canonical JSON of the parameters
    output     text NOT NULL,           -- output name, e.g. 'real', 'macdsignal'
    value      double precision,
    PRIMARY KEY (symbol, indicator, params, output, ts)
);
