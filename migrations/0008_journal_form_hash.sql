-- Issue [evidence], item 4 (cost): a message's entry carried the whole form read from it
-- (≈ 4.7 KB of JSON per message, written again at each update of the row). It now carries
-- the form's SHA-256 (`form_sha256`, computed in Rust with the form), and `log verify`
-- rehashes each stored form against it, as it does the raw archive. Rows written before
-- keep the form itself in their entry (form_sha256 NULL): `json_set` appends the last key
-- as 0006's view wrote it, so their entries still match.
ALTER TABLE messages ADD COLUMN form_sha256 TEXT;

DROP VIEW journal_of_messages;
CREATE VIEW journal_of_messages (id, payload) AS
    SELECT id, json_set(json_object(
        'mailbox', mailbox,
        'mailbox_ref', mailbox_ref,
        'received_at', received_at,
        'stored_at', stored_at,
        'size_bytes', size_bytes,
        'state', state,
        'raw_sha256', raw_sha256,
        'message_id', message_id,
        'dedupe_key', dedupe_key,
        'sent_at', sent_at,
        'from_addr', from_addr,
        'from_name', from_name,
        'subject', subject,
        'kind', kind,
        'outcome', outcome,
        'problems', problems,
        'reasons', reasons,
        'organisation', organisation,
        'organisation_key', organisation_key,
        'duplicate_of', duplicate_of,
        'rules_version', rules_version,
        'decided_at', decided_at,
        'settle_folder', settle_folder,
        'member_id', member_id,
        'arrival', arrival),
        CASE WHEN form_sha256 IS NULL THEN '$.form' ELSE '$.form_sha256' END,
        CASE WHEN form_sha256 IS NULL THEN form ELSE form_sha256 END)
    FROM messages;
