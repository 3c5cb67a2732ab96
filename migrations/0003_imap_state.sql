-- Where the IMAP watcher stands in each folder it reads (issue [live-mailbox]): the
-- folder's UIDVALIDITY and the highest UID handled. A changed UIDVALIDITY means the UIDs
-- were renumbered: the folder is read again from the start, and Message-ID
-- deduplication keeps anything from being handled twice.
CREATE TABLE imap_state (
    folder       TEXT PRIMARY KEY,
    uid_validity INTEGER NOT NULL,
    last_uid     INTEGER NOT NULL,
    -- The first run on this folder: with start = "now", mail received before it is the
    -- past, even when a UIDVALIDITY change makes the folder be read again.
    started_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
) STRICT;

-- Messages the watcher could not get through the pipeline (a fetch or a store error, not
-- bad input: that is an outcome): after too many failures they go to the quarantine folder.
CREATE TABLE imap_failures (
    folder       TEXT NOT NULL,
    uid_validity INTEGER NOT NULL,
    uid          INTEGER NOT NULL,
    failures     INTEGER NOT NULL,
    last_error   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (folder, uid_validity, uid)
) STRICT;

-- How a message arrived, when it matters to its decision: 'junk' (the Junk folder) or
-- 'quiet' (the past, imported without answers). Kept so that a message stored before a
-- crash is decided the same way when it is resumed.
ALTER TABLE messages ADD COLUMN arrival TEXT;
