-- The catalog: one table per dump table, every column kept (snake_case names).
-- Text is stored as UTF-8 (invalid bytes replaced), MD5s in lower case, time stamps as
-- 'YYYY-MM-DD HH:MM:SS' UTC text with zero/unknown dates as NULL.
-- `import_id` names the import that last inserted or changed a row (for incremental indexing).

CREATE TABLE libgen (
    id INTEGER PRIMARY KEY,
    title TEXT,
    volume_info TEXT,
    series TEXT,
    periodical TEXT,
    author TEXT,
    year TEXT,
    edition TEXT,
    publisher TEXT,
    city TEXT,
    pages TEXT,
    pages_in_file INTEGER,
    language TEXT,
    topic TEXT,
    library TEXT,
    issue TEXT,
    identifier TEXT,
    issn TEXT,
    asin TEXT,
    udc TEXT,
    lbc TEXT,
    ddc TEXT,
    lcc TEXT,
    doi TEXT,
    googlebook_id TEXT,
    open_library_id TEXT,
    commentary TEXT,
    dpi INTEGER,
    color TEXT,
    cleaned TEXT,
    orientation TEXT,
    paginated TEXT,
    scanned TEXT,
    bookmarked TEXT,
    searchable TEXT,
    filesize INTEGER,
    extension TEXT,
    md5 TEXT,
    generic TEXT,
    visible TEXT,
    locator TEXT,
    local INTEGER,
    time_added TEXT,
    time_last_modified TEXT,
    coverurl TEXT,
    tags TEXT,
    identifier_wodash TEXT,
    import_id INTEGER
);
CREATE INDEX libgen_md5 ON libgen (md5);
CREATE INDEX libgen_generic ON libgen (generic) WHERE generic <> '';
CREATE INDEX libgen_import_id ON libgen (import_id);

CREATE TABLE libgen_description (
    id INTEGER,
    md5 TEXT PRIMARY KEY,
    descr TEXT,
    toc TEXT,
    time_last_modified TEXT,
    import_id INTEGER
);
CREATE INDEX libgen_description_import_id ON libgen_description (import_id);

CREATE TABLE libgen_topics (
    id INTEGER PRIMARY KEY,
    topic_descr TEXT,
    lang TEXT,
    kolxoz_code TEXT,
    topic_id INTEGER,
    topic_id_hl INTEGER
);
CREATE INDEX libgen_topics_topic_id ON libgen_topics (topic_id);

CREATE TABLE libgen_hashes (
    md5 TEXT PRIMARY KEY,
    crc32 TEXT,
    edonkey TEXT,
    aich TEXT,
    sha1 TEXT,
    tth TEXT,
    torrent TEXT,
    btih TEXT,
    sha256 TEXT,
    ipfs_cid TEXT
);

CREATE TABLE fiction (
    id INTEGER PRIMARY KEY,
    md5 TEXT,
    title TEXT,
    author TEXT,
    series TEXT,
    edition TEXT,
    language TEXT,
    year TEXT,
    publisher TEXT,
    pages TEXT,
    identifier TEXT,
    googlebook_id TEXT,
    asin TEXT,
    coverurl TEXT,
    extension TEXT,
    filesize INTEGER,
    library TEXT,
    issue TEXT,
    locator TEXT,
    commentary TEXT,
    generic TEXT,
    visible TEXT,
    time_added TEXT,
    time_last_modified TEXT,
    import_id INTEGER
);
CREATE INDEX fiction_md5 ON fiction (md5);
CREATE INDEX fiction_generic ON fiction (generic) WHERE generic <> '';
CREATE INDEX fiction_import_id ON fiction (import_id);

CREATE TABLE fiction_description (
    md5 TEXT PRIMARY KEY,
    descr TEXT,
    time_last_modified TEXT,
    import_id INTEGER
);
CREATE INDEX fiction_description_import_id ON fiction_description (import_id);

CREATE TABLE fiction_hashes (
    md5 TEXT PRIMARY KEY,
    crc32 TEXT,
    edonkey TEXT,
    aich TEXT,
    sha1 TEXT,
    tth TEXT,
    btih TEXT,
    sha256 TEXT,
    ipfs_cid TEXT
);

CREATE TABLE scimag (
    id INTEGER PRIMARY KEY,
    doi TEXT,
    doi2 TEXT,
    title TEXT,
    author TEXT,
    year TEXT,
    month TEXT,
    day TEXT,
    volume TEXT,
    issue TEXT,
    first_page TEXT,
    last_page TEXT,
    journal TEXT,
    isbn TEXT,
    issnp TEXT,
    issne TEXT,
    md5 TEXT,
    filesize INTEGER,
    time_added TEXT,
    journal_id TEXT,
    abstract_url TEXT,
    attribute1 TEXT,
    attribute2 TEXT,
    attribute3 TEXT,
    attribute4 TEXT,
    attribute5 TEXT,
    attribute6 TEXT,
    visible TEXT,
    pubmed_id TEXT,
    pmc TEXT,
    pii TEXT,
    import_id INTEGER
);
CREATE INDEX scimag_doi ON scimag (doi);
CREATE INDEX scimag_md5 ON scimag (md5);
CREATE INDEX scimag_journal_id ON scimag (journal_id);
CREATE INDEX scimag_import_id ON scimag (import_id);

CREATE TABLE scimag_magazines (
    id INTEGER PRIMARY KEY,
    issnp TEXT,
    issne TEXT,
    magazine TEXT,
    abbr TEXT,
    description TEXT,
    publisher TEXT,
    journal_id TEXT,
    site_url TEXT,
    category TEXT,
    siteid_old TEXT,
    previous_title TEXT,
    real_title TEXT,
    years TEXT,
    volumes TEXT,
    prefix TEXT,
    time_added TEXT
);
CREATE INDEX scimag_magazines_journal_id ON scimag_magazines (journal_id);

CREATE TABLE scimag_publishers (
    id INTEGER PRIMARY KEY,
    doi_code TEXT,
    publisher TEXT
);

CREATE TABLE imports (
    id INTEGER PRIMARY KEY,
    file TEXT NOT NULL,
    file_size INTEGER,
    file_mtime INTEGER,
    format TEXT NOT NULL,
    collections TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    rows_json TEXT NOT NULL,
    rejected INTEGER NOT NULL
);
