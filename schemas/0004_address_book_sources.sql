-- 0004_address_book_sources: which address book loaded each entity and address row.
--
-- load/address-book upserts the rows of its file with source = the file as the pipeline names it,
-- then removes that source's rows the file no longer has. Rows with a null source were not loaded
-- from a book (or predate this column) and no book load ever removes them.

ALTER TABLE entities ADD COLUMN source text;
ALTER TABLE entity_addresses ADD COLUMN source text;
CREATE INDEX entity_addresses_source_idx ON entity_addresses (source);
