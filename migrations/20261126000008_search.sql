-- Search (issue 10): one row per product holding what search reads, kept by triggers in the
-- same transaction as every catalogue write; the words shoppers can be corrected towards; and the
-- durable record of products the Meilisearch index has not taken yet.

-- The searchable form of each product. `price` is the cheapest active variant's (NULL: no active
-- variant, so shoppers never find it); `category_ids` holds the product's category and every
-- ancestor, so a category filter takes its whole subtree; `options` holds `key=value` of the
-- active variants.
CREATE TABLE search_documents (
    product_id     uuid PRIMARY KEY REFERENCES products (id) ON DELETE CASCADE,
    status         product_status NOT NULL,
    name           text NOT NULL,
    description    text NOT NULL,
    category_ids   uuid[] NOT NULL,
    category_names text NOT NULL,
    options        text[] NOT NULL,
    skus           text[] NOT NULL,
    price          numeric(12, 2),
    in_stock       boolean NOT NULL,
    rating_average numeric(3, 2),
    created_at     timestamptz NOT NULL,
    document       tsvector NOT NULL
);
CREATE INDEX search_documents_document_idx ON search_documents USING gin (document);
-- What shoppers can find: their searches read only this (a third of the catalogue may be drafts,
-- archived or not yet purchasable).
CREATE INDEX search_documents_shoppable_idx ON search_documents USING gin (document)
    WHERE status = 'active' AND price IS NOT NULL;
CREATE INDEX search_documents_categories_idx ON search_documents USING gin (category_ids);
CREATE INDEX search_documents_options_idx ON search_documents USING gin (options);
CREATE INDEX search_documents_skus_idx ON search_documents USING gin (skus);

-- Every word (letters only: SKU parts and numbers take no typos) of an active product's
-- document: the vocabulary typos are corrected towards.
-- Words are only ever added (a stale one matches nothing); `id` lets readers load what is new.
CREATE TABLE search_words (
    id   bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    word text PRIMARY KEY
);

-- Products whose search document changed (or went) since the Meilisearch index last took them.
-- A sync deletes a row only if its `seq` is still the one it read.
CREATE SEQUENCE search_outbox_seq;
CREATE TABLE search_outbox (
    product_id uuid PRIMARY KEY,
    seq        bigint NOT NULL DEFAULT nextval('search_outbox_seq'),
    changed_at timestamptz NOT NULL DEFAULT now()
);

-- Recomputes the documents of `targets`; writes the outbox and the vocabulary for those that
-- changed or went.
CREATE FUNCTION search_refresh(targets uuid[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(cardinality(targets), 0) = 0 THEN
        RETURN;
    END IF;
    DELETE FROM search_documents d
    WHERE d.product_id = ANY (targets) AND NOT EXISTS (SELECT 1 FROM products p WHERE p.id = d.product_id);
    WITH RECURSIVE paths AS (
        SELECT c.id, ARRAY[c.id] AS ids, c.name::text AS names, 0 AS depth
        FROM categories c WHERE c.parent_id IS NULL
        UNION ALL
        SELECT c.id, paths.ids || c.id, paths.names || ' ' || c.name, paths.depth + 1
        FROM categories c JOIN paths ON c.parent_id = paths.id
        WHERE paths.depth < 100
    ), fresh AS (
        SELECT p.id, p.status, p.name, p.description,
               coalesce(paths.ids, '{}') AS category_ids, coalesce(paths.names, '') AS category_names,
               coalesce(o.options, '{}') AS options, coalesce(v.skus, '{}') AS skus,
               v.price, coalesce(v.in_stock, false) AS in_stock, p.rating_average, p.created_at,
               setweight(to_tsvector('simple', p.name || ' ' || coalesce(v.sku_text, '')), 'A')
               || setweight(to_tsvector('simple', coalesce(paths.names, '')), 'B')
               || setweight(to_tsvector('simple', coalesce(o.option_text, '')), 'C')
               || setweight(to_tsvector('simple', p.description), 'D') AS document
        FROM products p
        LEFT JOIN paths ON paths.id = p.category_id
        LEFT JOIN LATERAL (
            SELECT min(w.price) AS price, bool_or(w.stock > 0) AS in_stock,
                   array_agg(lower(w.sku) ORDER BY lower(w.sku)) AS skus, string_agg(w.sku, ' ') AS sku_text
            FROM product_variants w WHERE w.product_id = p.id AND w.active
        ) v ON true
        LEFT JOIN LATERAL (
            SELECT array_agg(DISTINCT e.key || '=' || e.value ORDER BY e.key || '=' || e.value) AS options,
                   string_agg(DISTINCT e.value, ' ') AS option_text
            FROM product_variants w, jsonb_each_text(w.options) e
            WHERE w.product_id = p.id AND w.active
        ) o ON true
        WHERE p.id = ANY (targets)
    ), written AS (
        INSERT INTO search_documents AS d (product_id, status, name, description, category_ids, category_names,
                                           options, skus, price, in_stock, rating_average, created_at, document)
        SELECT * FROM fresh
        ON CONFLICT (product_id) DO UPDATE SET
            status = excluded.status, name = excluded.name, description = excluded.description,
            category_ids = excluded.category_ids, category_names = excluded.category_names,
            options = excluded.options, skus = excluded.skus, price = excluded.price,
            in_stock = excluded.in_stock, rating_average = excluded.rating_average,
            created_at = excluded.created_at, document = excluded.document
        WHERE (d.status, d.name, d.description, d.category_ids, d.category_names, d.options, d.skus, d.price,
               d.in_stock, d.rating_average, d.created_at, d.document)
              IS DISTINCT FROM
              (excluded.status, excluded.name, excluded.description, excluded.category_ids,
               excluded.category_names, excluded.options, excluded.skus, excluded.price, excluded.in_stock,
               excluded.rating_average, excluded.created_at, excluded.document)
        RETURNING d.product_id, d.status, d.document
    ), words AS (
        INSERT INTO search_words (word)
        SELECT DISTINCT t.lexeme FROM written, unnest(written.document) t
        WHERE written.status = 'active' AND length(t.lexeme) BETWEEN 2 AND 40 AND t.lexeme ~ '^[[:alpha:]]+$'
        ORDER BY 1
        ON CONFLICT (word) DO NOTHING
    )
    INSERT INTO search_outbox (product_id)
    SELECT product_id FROM written
    UNION
    SELECT t FROM unnest(targets) t WHERE NOT EXISTS (SELECT 1 FROM products p WHERE p.id = t)
    ON CONFLICT (product_id) DO UPDATE SET seq = nextval('search_outbox_seq'), changed_at = now();
END $$;

-- Products: any insert, update or delete refreshes the products it touched (unchanged documents
-- are left alone, so a version bump costs one comparison).
CREATE FUNCTION search_products_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM search_refresh(ARRAY(SELECT id FROM old_rows));
    ELSE
        PERFORM search_refresh(ARRAY(SELECT id FROM new_rows));
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER search_products_inserted AFTER INSERT ON products
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search_products_changed();
CREATE TRIGGER search_products_updated AFTER UPDATE ON products
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search_products_changed();
CREATE TRIGGER search_products_deleted AFTER DELETE ON products
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION search_products_changed();

-- Variants: a sale that leaves some stock changes nothing search reads, so an update refreshes
-- only products whose variants changed in a way a document shows.
CREATE FUNCTION search_variants_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM search_refresh(ARRAY(SELECT DISTINCT product_id FROM new_rows));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM search_refresh(ARRAY(SELECT DISTINCT product_id FROM old_rows));
    ELSE
        PERFORM search_refresh(ARRAY(
            SELECT DISTINCT n.product_id FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE (o.product_id, o.sku, o.options, o.price, o.active, o.stock > 0)
                  IS DISTINCT FROM (n.product_id, n.sku, n.options, n.price, n.active, n.stock > 0)
            UNION
            SELECT o.product_id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE o.product_id <> n.product_id
        ));
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER search_variants_inserted AFTER INSERT ON product_variants
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search_variants_changed();
CREATE TRIGGER search_variants_updated AFTER UPDATE ON product_variants
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search_variants_changed();
CREATE TRIGGER search_variants_deleted AFTER DELETE ON product_variants
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION search_variants_changed();

-- Categories: a rename or a move changes the documents of every product below.
CREATE FUNCTION search_categories_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM search_refresh(ARRAY(
        WITH RECURSIVE below AS (
            SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE (o.name, o.parent_id) IS DISTINCT FROM (n.name, n.parent_id)
            UNION
            SELECT c.id FROM categories c JOIN below ON c.parent_id = below.id
        )
        SELECT p.id FROM products p JOIN below ON p.category_id = below.id
    ));
    RETURN NULL;
END $$;
CREATE TRIGGER search_categories_updated AFTER UPDATE ON categories
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search_categories_changed();

-- Products already there.
SELECT search_refresh(ARRAY(SELECT id FROM products));
