-- Stored articles by the feed they were first seen in: GET /api/news/feeds counts each
-- feed's articles, and deleting a feed (ON DELETE SET NULL) finds its articles without
-- reading the whole table.
CREATE INDEX IF NOT EXISTS articles_feed_idx ON news.articles (feed_id);
