-- Issue [evidence]: only mailroom journals its writes. The journaling triggers of 0006
-- lived in the database file, so they fired for any writer (Python's sqlite3, the sqlite3
-- program) and the next command sealed what someone else had written. They are replaced
-- by TEMP triggers that mailroom creates on each of its own connections
-- (`store::journal::install`): a write made outside mailroom now leaves a row that no
-- longer matches its latest entry, which `log verify` names. The views `journal_of_*`
-- stay: they are what an entry says, for the TEMP triggers and for `log verify`.

DROP TRIGGER IF EXISTS journal_messages_insert;
DROP TRIGGER IF EXISTS journal_messages_update;
DROP TRIGGER IF EXISTS journal_raw_messages_insert;
DROP TRIGGER IF EXISTS journal_raw_messages_update;
DROP TRIGGER IF EXISTS journal_attachments_insert;
DROP TRIGGER IF EXISTS journal_attachments_update;
DROP TRIGGER IF EXISTS journal_members_insert;
DROP TRIGGER IF EXISTS journal_members_update;
DROP TRIGGER IF EXISTS journal_member_events_insert;
DROP TRIGGER IF EXISTS journal_member_events_update;
DROP TRIGGER IF EXISTS journal_review_actions_insert;
DROP TRIGGER IF EXISTS journal_review_actions_update;
DROP TRIGGER IF EXISTS journal_outbox_insert;
DROP TRIGGER IF EXISTS journal_outbox_update;
DROP TRIGGER IF EXISTS journal_group_requests_insert;
DROP TRIGGER IF EXISTS journal_group_requests_update;
DROP TRIGGER IF EXISTS journal_cdp_access_insert;
DROP TRIGGER IF EXISTS journal_cdp_access_update;
DROP TRIGGER IF EXISTS journal_tasks_insert;
DROP TRIGGER IF EXISTS journal_tasks_update;
DROP TRIGGER IF EXISTS journal_consents_insert;
DROP TRIGGER IF EXISTS journal_consents_update;
DROP TRIGGER IF EXISTS journal_access_log_insert;
DROP TRIGGER IF EXISTS journal_access_log_update;
DROP TRIGGER IF EXISTS journal_digests_insert;
DROP TRIGGER IF EXISTS journal_digests_update;
DROP TRIGGER IF EXISTS journal_raw_tombstones_insert;
DROP TRIGGER IF EXISTS journal_raw_tombstones_update;
DROP TRIGGER IF EXISTS journal_retention_policy_insert;
DROP TRIGGER IF EXISTS journal_retention_policy_update;

-- The keyed seal (HMAC-SHA-256 under a key kept outside the database) marks the last
-- entry each seal closed: its head, which the anchors file must hold. Covered by the seal.
ALTER TABLE journal ADD COLUMN closes INTEGER;
