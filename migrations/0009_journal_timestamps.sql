-- Issue [evidence], optional: the journal's head time-stamped by an RFC 3161 authority
-- (`[journal] tsa_url`), once a day. The token is kept as the authority sent it (DER);
-- its entry carries the token's SHA-256 (computed when sealed), and `log verify` checks
-- that the chain still holds each time-stamped head, like an anchor.
CREATE TABLE journal_timestamps (
    id           INTEGER PRIMARY KEY,
    seq          INTEGER NOT NULL,   -- the head time-stamped
    hash         TEXT NOT NULL,      -- its seal (the digest sent)
    tsa_url      TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    token        BLOB NOT NULL
) STRICT;

CREATE VIEW journal_of_journal_timestamps (id, payload) AS
    SELECT id, json_object(
        'seq', seq,
        'hash', hash,
        'tsa_url', tsa_url,
        'requested_at', requested_at,
        'token_bytes', length(token))
    FROM journal_timestamps;
