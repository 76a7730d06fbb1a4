-- Search speed (issue 10): suggestions match a product's name and SKUs only. Restricting the
-- whole document to its `A` weight made PostgreSQL fetch and recheck every product with a
-- matching word anywhere (three times as many rows as the names hold), and each fetch read a
-- wide row. `search_titles` holds, for what shoppers can find only, a small vector of the name
-- and SKUs: a GIN match needs no recheck, and the rows it fetches to rank are a few dozen bytes.
-- Kept from `search_documents` by triggers, in the same transaction.
CREATE TABLE search_titles (
    product_id uuid PRIMARY KEY REFERENCES search_documents (product_id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL,
    title      tsvector NOT NULL
);
CREATE INDEX search_titles_title_idx ON search_titles USING gin (title);

CREATE FUNCTION search_titles_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM search_titles t USING new_rows n
    WHERE t.product_id = n.product_id AND NOT (n.status = 'active' AND n.price IS NOT NULL);
    INSERT INTO search_titles AS t (product_id, created_at, title)
    SELECT n.product_id, n.created_at, to_tsvector('simple', n.name || ' ' || array_to_string(n.skus, ' '))
    FROM new_rows n WHERE n.status = 'active' AND n.price IS NOT NULL
    ON CONFLICT (product_id) DO UPDATE SET created_at = excluded.created_at, title = excluded.title
    WHERE (t.created_at, t.title) IS DISTINCT FROM (excluded.created_at, excluded.title);
    RETURN NULL;
END $$;
CREATE TRIGGER search_titles_inserted AFTER INSERT ON search_documents
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search_titles_refresh();
CREATE TRIGGER search_titles_updated AFTER UPDATE ON search_documents
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search_titles_refresh();

-- Products already there.
INSERT INTO search_titles (product_id, created_at, title)
SELECT product_id, created_at, to_tsvector('simple', name || ' ' || array_to_string(skus, ' '))
FROM search_documents WHERE status = 'active' AND price IS NOT NULL;

-- The sync reads the outbox oldest first; after a reindex queued every product, a scan of the
-- whole table (dead rows included) cost milliseconds on every periodic sync.
CREATE INDEX search_outbox_seq_idx ON search_outbox (seq);
