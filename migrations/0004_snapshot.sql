-- The libgen.li snapshot (the live catalog's MyISAM tables): its files are records of seven
-- collections. Sci-tech, fiction and papers keep their tables (a file in the classic dumps and in
-- the snapshot is one record, under the classic id); the snapshot adds where a record came from
-- there (`li_f_id` file, `li_e_id` edition, `li_w_id` work), whether the file is marked broken,
-- and when a newer snapshot no longer had it (`li_removed`). Russian fiction, magazines, comics
-- and standards, which only the snapshot has, get one table each, all of the same shape.

ALTER TABLE libgen ADD COLUMN broken TEXT;
ALTER TABLE libgen ADD COLUMN li_f_id INTEGER;
ALTER TABLE libgen ADD COLUMN li_e_id INTEGER;
ALTER TABLE libgen ADD COLUMN li_w_id INTEGER;
ALTER TABLE libgen ADD COLUMN li_removed TEXT;
CREATE INDEX libgen_li_e ON libgen (li_e_id) WHERE li_e_id IS NOT NULL;
CREATE INDEX libgen_li_w ON libgen (li_w_id) WHERE li_w_id IS NOT NULL;

ALTER TABLE fiction ADD COLUMN broken TEXT;
ALTER TABLE fiction ADD COLUMN li_f_id INTEGER;
ALTER TABLE fiction ADD COLUMN li_e_id INTEGER;
ALTER TABLE fiction ADD COLUMN li_w_id INTEGER;
ALTER TABLE fiction ADD COLUMN li_removed TEXT;
CREATE INDEX fiction_li_e ON fiction (li_e_id) WHERE li_e_id IS NOT NULL;
CREATE INDEX fiction_li_w ON fiction (li_w_id) WHERE li_w_id IS NOT NULL;

ALTER TABLE scimag ADD COLUMN broken TEXT;
ALTER TABLE scimag ADD COLUMN li_f_id INTEGER;
ALTER TABLE scimag ADD COLUMN li_e_id INTEGER;
ALTER TABLE scimag ADD COLUMN li_w_id INTEGER;
ALTER TABLE scimag ADD COLUMN li_removed TEXT;
CREATE INDEX scimag_li_e ON scimag (li_e_id) WHERE li_e_id IS NOT NULL;
CREATE INDEX scimag_li_w ON scimag (li_w_id) WHERE li_w_id IS NOT NULL;

CREATE TABLE fiction_rus (
    id INTEGER PRIMARY KEY,
    md5 TEXT,
    title TEXT,
    author TEXT,
    series TEXT,
    publisher TEXT,
    city TEXT,
    edition TEXT,
    year TEXT,
    month TEXT,
    day TEXT,
    pages TEXT,
    language TEXT,
    identifier TEXT,
    issn TEXT,
    doi TEXT,
    volume TEXT,
    issue TEXT,
    first_page TEXT,
    last_page TEXT,
    extension TEXT,
    filesize INTEGER,
    locator TEXT,
    coverurl TEXT,
    visible TEXT,
    generic TEXT,
    broken TEXT,
    commentary TEXT,
    descr TEXT,
    time_added TEXT,
    time_last_modified TEXT,
    li_f_id INTEGER,
    li_e_id INTEGER,
    li_w_id INTEGER,
    li_removed TEXT,
    import_id INTEGER
);
CREATE INDEX fiction_rus_md5 ON fiction_rus (md5);
CREATE INDEX fiction_rus_generic ON fiction_rus (generic) WHERE generic <> '';
CREATE INDEX fiction_rus_import_id ON fiction_rus (import_id);
CREATE INDEX fiction_rus_li_e ON fiction_rus (li_e_id) WHERE li_e_id IS NOT NULL;
CREATE INDEX fiction_rus_li_w ON fiction_rus (li_w_id) WHERE li_w_id IS NOT NULL;

CREATE TABLE magazines (
    id INTEGER PRIMARY KEY,
    md5 TEXT,
    title TEXT,
    author TEXT,
    series TEXT,
    publisher TEXT,
    city TEXT,
    edition TEXT,
    year TEXT,
    month TEXT,
    day TEXT,
    pages TEXT,
    language TEXT,
    identifier TEXT,
    issn TEXT,
    doi TEXT,
    volume TEXT,
    issue TEXT,
    first_page TEXT,
    last_page TEXT,
    extension TEXT,
    filesize INTEGER,
    locator TEXT,
    coverurl TEXT,
    visible TEXT,
    generic TEXT,
    broken TEXT,
    commentary TEXT,
    descr TEXT,
    time_added TEXT,
    time_last_modified TEXT,
    li_f_id INTEGER,
    li_e_id INTEGER,
    li_w_id INTEGER,
    li_removed TEXT,
    import_id INTEGER
);
CREATE INDEX magazines_md5 ON magazines (md5);
CREATE INDEX magazines_generic ON magazines (generic) WHERE generic <> '';
CREATE INDEX magazines_import_id ON magazines (import_id);
CREATE INDEX magazines_li_e ON magazines (li_e_id) WHERE li_e_id IS NOT NULL;
CREATE INDEX magazines_li_w ON magazines (li_w_id) WHERE li_w_id IS NOT NULL;

CREATE TABLE comics (
    id INTEGER PRIMARY KEY,
    md5 TEXT,
    title TEXT,
    author TEXT,
    series TEXT,
    publisher TEXT,
    city TEXT,
    edition TEXT,
    year TEXT,
    month TEXT,
    day TEXT,
    pages TEXT,
    language TEXT,
    identifier TEXT,
    issn TEXT,
    doi TEXT,
    volume TEXT,
    issue TEXT,
    first_page TEXT,
    last_page TEXT,
    extension TEXT,
    filesize INTEGER,
    locator TEXT,
    coverurl TEXT,
    visible TEXT,
    generic TEXT,
    broken TEXT,
    commentary TEXT,
    descr TEXT,
    time_added TEXT,
    time_last_modified TEXT,
    li_f_id INTEGER,
    li_e_id INTEGER,
    li_w_id INTEGER,
    li_removed TEXT,
    import_id INTEGER
);
CREATE INDEX comics_md5 ON comics (md5);
CREATE INDEX comics_generic ON comics (generic) WHERE generic <> '';
CREATE INDEX comics_import_id ON comics (import_id);
CREATE INDEX comics_li_e ON comics (li_e_id) WHERE li_e_id IS NOT NULL;
CREATE INDEX comics_li_w ON comics (li_w_id) WHERE li_w_id IS NOT NULL;

CREATE TABLE standards (
    id INTEGER PRIMARY KEY,
    md5 TEXT,
    title TEXT,
    author TEXT,
    series TEXT,
    publisher TEXT,
    city TEXT,
    edition TEXT,
    year TEXT,
    month TEXT,
    day TEXT,
    pages TEXT,
    language TEXT,
    identifier TEXT,
    issn TEXT,
    doi TEXT,
    volume TEXT,
    issue TEXT,
    first_page TEXT,
    last_page TEXT,
    extension TEXT,
    filesize INTEGER,
    locator TEXT,
    coverurl TEXT,
    visible TEXT,
    generic TEXT,
    broken TEXT,
    commentary TEXT,
    descr TEXT,
    time_added TEXT,
    time_last_modified TEXT,
    li_f_id INTEGER,
    li_e_id INTEGER,
    li_w_id INTEGER,
    li_removed TEXT,
    import_id INTEGER
);
CREATE INDEX standards_md5 ON standards (md5);
CREATE INDEX standards_generic ON standards (generic) WHERE generic <> '';
CREATE INDEX standards_import_id ON standards (import_id);
CREATE INDEX standards_li_e ON standards (li_e_id) WHERE li_e_id IS NOT NULL;
CREATE INDEX standards_li_w ON standards (li_w_id) WHERE li_w_id IS NOT NULL;
