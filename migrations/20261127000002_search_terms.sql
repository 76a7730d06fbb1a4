-- Search speed (issue 10): every word of every search document, with its rank, one row each,
-- kept from `search_documents` by triggers in the same transaction. The PostgreSQL engine reads
-- a word's postings (every product having it, ranked) from here with an index-only scan, and a
-- prefix's as one range of the index: about a tenth of the database time of matching the
-- documents' vectors and ranking each match with `ts_rank` (BENCHMARKS.md, run 10).
CREATE TABLE search_terms (
    -- Compared byte by byte: a prefix's words are one range of the index.
    lexeme     text COLLATE "C" NOT NULL,
    product_id uuid NOT NULL,
    rank       real NOT NULL
);
CREATE INDEX search_terms_lexeme_idx ON search_terms (lexeme, product_id) INCLUDE (rank);
CREATE INDEX search_terms_product_idx ON search_terms (product_id);

-- `ts_rank('{0.1, 0.2, 0.4, 1.0}', document, lexeme)` of one lexeme, from the weights of its
-- positions (in order): what PostgreSQL computes for a one-word query, so a word's rank here is
-- the rank the engine used before, and a prefix's is the sum of its words' (as `ts_rank` sums
-- them for `word:*`). It cannot fail on any lexeme, which building a query from it could.
CREATE FUNCTION search_term_rank(weights text[]) RETURNS real LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    w float8;
    total float8 := 0;
    best float8 := -1;
    best_at int := 1;
    at int := 0;
    weight text;
BEGIN
    FOREACH weight IN ARRAY weights LOOP
        at := at + 1;
        w := CASE weight WHEN 'A' THEN 1.0 WHEN 'B' THEN 0.4 WHEN 'C' THEN 0.2 ELSE 0.1 END;
        total := total + w / (at * at);
        IF w > best THEN
            best := w;
            best_at := at;
        END IF;
    END LOOP;
    -- 1.64493406685: the sum of 1 / n² (π² / 6), as PostgreSQL's ranking divides by.
    RETURN ((best + total - best / (best_at * best_at)) / 1.64493406685)::real;
END $$;

-- A document's words are rewritten only when its vector changed (a stock or price change
-- leaves them alone). The document's row is locked by the write that fired this, so two
-- refreshes of one product take turns. A bulk load (the seed) may defer the terms to its end,
-- in its own transaction: `SET LOCAL oxcart.search_terms_deferred = on`, then
-- `search_terms_rebuild()` before it commits.
CREATE FUNCTION search_terms_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('oxcart.search_terms_deferred', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        INSERT INTO search_terms (lexeme, product_id, rank)
        SELECT u.lexeme, n.product_id, search_term_rank(u.weights) FROM new_rows n, unnest(n.document) u;
    ELSIF TG_OP = 'UPDATE' THEN
        DELETE FROM search_terms t USING new_rows n JOIN old_rows o ON o.product_id = n.product_id
        WHERE t.product_id = n.product_id AND o.document <> n.document;
        INSERT INTO search_terms (lexeme, product_id, rank)
        SELECT u.lexeme, n.product_id, search_term_rank(u.weights)
        FROM new_rows n JOIN old_rows o ON o.product_id = n.product_id, unnest(n.document) u
        WHERE o.document <> n.document;
    ELSE
        DELETE FROM search_terms t USING old_rows o WHERE t.product_id = o.product_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER search_terms_inserted AFTER INSERT ON search_documents
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search_terms_refresh();
CREATE TRIGGER search_terms_updated AFTER UPDATE ON search_documents
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search_terms_refresh();
CREATE TRIGGER search_terms_deleted AFTER DELETE ON search_documents
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION search_terms_refresh();

-- Every document's terms, written again from scratch (and deferral ended).
CREATE FUNCTION search_terms_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM search_terms;
    INSERT INTO search_terms (lexeme, product_id, rank)
    SELECT u.lexeme, d.product_id, search_term_rank(u.weights) FROM search_documents d, unnest(d.document) u;
    PERFORM set_config('oxcart.search_terms_deferred', 'off', true);
END $$;

-- Documents already there.
SELECT search_terms_rebuild();
