-- Suggestions look first among the newest titles: this index hands them over newest first
-- without visiting the table (the vector is included), so a broad prefix ("ce") is answered
-- from a few thousand small entries instead of ranking every one of thousands of matches.
CREATE INDEX search_titles_newest_idx ON search_titles (created_at DESC, product_id DESC) INCLUDE (title);
