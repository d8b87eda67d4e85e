-- Every copy of a story (its normalised link/guid hash) points at the one stored article, so
-- ingesting any copy again adds nothing; plus the default Google News feeds for the Indian
-- market (personal use under Google's terms, see README).
CREATE TABLE IF NOT EXISTS news.article_links (
    link_hash   text PRIMARY KEY,
    article_id  bigint NOT NULL REFERENCES news.articles (id) ON DELETE CASCADE,
    publisher   text
);
CREATE INDEX IF NOT EXISTS article_links_article_idx ON news.article_links (article_id);

INSERT INTO news.feeds (url, title) VALUES
    ('https://news.google.com/rss/search?q=NSE+stocks&hl=en-IN&gl=IN&ceid=IN:en',
     'Google News: NSE stocks'),
    ('https://news.google.com/rss/search?q=Sensex&hl=en-IN&gl=IN&ceid=IN:en',
     'Google News: Sensex'),
    ('https://news.google.com/rss/search?q=Nifty&hl=en-IN&gl=IN&ceid=IN:en',
     'Google News: Nifty'),
    ('https://news.google.com/rss/search?q=Indian+stock+market&hl=en-IN&gl=IN&ceid=IN:en',
     'Google News: Indian stock market')
ON CONFLICT (url) DO NOTHING;
