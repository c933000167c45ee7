-- Papers' DOIs are looked up in the catalog, not in the search index (unique terms per record
-- would take a fifth of the index); DOIs are case-insensitive, so the index is too.
DROP INDEX scimag_doi;
CREATE INDEX scimag_doi ON scimag (doi COLLATE NOCASE);
-- Nothing asks for descriptions by import (the search index follows the records' tables).
DROP INDEX libgen_description_import_id;
DROP INDEX fiction_description_import_id;
