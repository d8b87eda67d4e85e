-- News: feeds, articles (one per story), recognised entities and sentiment (owned by news-nlp).
CREATE TABLE IF NOT EXISTS news.feeds (
    id               bigserial PRIMARY KEY,
    url              text NOT NULL UNIQUE,
    title            text,
    enabled          boolean NOT NULL DEFAULT true,
    poll_interval_s  integer NOT NULL DEFAULT 300 CHECK (poll_interval_s >= 30),
    etag             text,
    last_modified    text,
    last_status      text,          -- ok | not_modified | error
    last_error       text,
    failure_count    integer NOT NULL DEFAULT 0,
    last_fetched_at  timestamptz,
    next_fetch_at    timestamptz NOT NULL DEFAULT now(),
    created_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS news.articles (
    id               bigserial PRIMARY KEY,
    link_hash        text NOT NULL UNIQUE,  -- hash of the normalised link/guid: idempotent ingest
    story_key        text,                  -- near-duplicate group of the same headline
    feed_id          bigint REFERENCES news.feeds (id) ON DELETE SET NULL,
    title            text NOT NULL,
    summary          text NOT NULL DEFAULT '',
    link             text,
    guid             text,
    publisher        text,
    publishers       text[] NOT NULL DEFAULT '{}',
    duplicate_count  integer NOT NULL DEFAULT 0,
    published_at     timestamptz,
    fetched_at       timestamptz NOT NULL DEFAULT now(),
    search           tsvector GENERATED ALWAYS AS (
        to_tsvector('english', title || ' ' || summary)) STORED
);
CREATE INDEX IF NOT EXISTS articles_published_idx ON news.articles (published_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS articles_story_idx ON news.articles (story_key);
CREATE INDEX IF NOT EXISTS articles_search_idx ON news.articles USING gin (search);

CREATE TABLE IF NOT EXISTS news.entities (
    article_id    bigint NOT NULL REFERENCES news.articles (id) ON DELETE CASCADE,
    symbol        text NOT NULL,
    kind          text NOT NULL DEFAULT 'company' CHECK (kind IN ('company', 'index', 'sector')),
    mention       text NOT NULL,
    start_offset  integer NOT NULL CHECK (start_offset >= 0),
    end_offset    integer NOT NULL CHECK (end_offset > start_offset),
    PRIMARY KEY (article_id, symbol, start_offset)
);
CREATE INDEX IF NOT EXISTS entities_symbol_idx ON news.entities (symbol, article_id DESC);

-- One row per article and model (symbol = '') plus one per mentioned company (direction).
CREATE TABLE IF NOT EXISTS news.sentiments (
    article_id  bigint NOT NULL REFERENCES news.articles (id) ON DELETE CASCADE,
    model       text NOT NULL,
    symbol      text NOT NULL DEFAULT '',
    score       double precision NOT NULL CHECK (score BETWEEN -1 AND 1),
    label       text NOT NULL CHECK (label IN ('positive', 'negative', 'neutral')),
    confidence  double precision NOT NULL CHECK (confidence BETWEEN 0 AND 1),
    direction   text NOT NULL CHECK (direction IN ('bullish', 'bearish', 'neutral')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (article_id, model, symbol)
);
