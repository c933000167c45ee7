-- Papers' DOIs are looked up in the catalog, not in the search index (unique terms per record
-- would take a fifth of the index); DOIs are case-insensitive, so the index is too.
DROP INDEX scimag_doi;
CREATE INDEX scimag_doi ON scimag (doi COLLATE NOCASE);
-- Nothing asks for descriptions by import (the search index follows the records' tables), nor
-- for papers by journal id (a paper's journal is looked up in scimag_magazines).
DROP INDEX libgen_description_import_id;
DROP INDEX fiction_description_import_id;
DROP INDEX scimag_journal_id;
-- Every index entry ends with the rowid (`id`) anyway: ordered by (time_last_modified, id)
-- without storing the id twice.
DROP INDEX libgen_modified;
CREATE INDEX libgen_modified ON libgen (time_last_modified);
