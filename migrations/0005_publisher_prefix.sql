-- Papers' publishers are found by their DOI prefix (search results, record pages): an index
-- instead of a scan of the publishers table for every paper shown.
CREATE INDEX scimag_publishers_doi_code ON scimag_publishers (doi_code);
