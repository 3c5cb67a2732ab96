-- Working groups (issue [working-groups]): what a member asked for in its form, and what
-- the Région decided (form 3.1, annex 1, art. 4bis.2).

-- One row per member and group: the request, then the decision on it. The history of
-- every state lives in member_events (group_requested, group_assigned, …), each with the
-- rules version in force.
CREATE TABLE group_requests (
    id             INTEGER PRIMARY KEY,
    member_id      INTEGER NOT NULL REFERENCES members(id),
    code           TEXT NOT NULL,
    state          TEXT NOT NULL
                   CHECK (state IN ('requested', 'assigned', 'waitlisted', 'refused', 'withdrawn')),
    delegate       TEXT NOT NULL DEFAULT 'null',  -- JSON person, from the form
    requested_at   TEXT NOT NULL,                 -- RFC 3339 UTC
    -- Asked for after the group's first session (art. 6.1: "sous réserve des places
    -- disponibles et à condition que cela ne perturbe pas l'organisation déjà mise en place").
    late           INTEGER NOT NULL DEFAULT 0,
    -- Where the one-month clock of art. 4bis.2 starts: the form's 6.1 signature date
    -- (YYYY-MM-DD); NULL: the member's effective date.
    clock_start    TEXT,
    decided_at     TEXT,
    decided_by     TEXT,
    note           TEXT,
    -- A withdrawal decided by the Région is notified ahead and applies on this day
    -- (annex 1 §2, "dans un délai raisonnable avant sa mise en œuvre"); until then the
    -- seat still counts.
    applies_on     TEXT,
    -- The "confirmation officielle" that notified the current state (evidence, like an
    -- acknowledgement: its bytes stay in the outbox row).
    notice_id      INTEGER REFERENCES outbox(id),
    rules_version  TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    UNIQUE (member_id, code)
) STRICT;

CREATE INDEX group_requests_by_code ON group_requests (code, state);

-- Access to the Communauté de Pratiques (annex 2), due within the month after signature to
-- each delegate (the contact point for ecosystem actors).
CREATE TABLE cdp_access (
    member_id    INTEGER PRIMARY KEY REFERENCES members(id),
    opened_at    TEXT NOT NULL,
    clock_start  TEXT,          -- as in group_requests
    sent_at      TEXT,
    sent_by      TEXT,
    revoked_at   TEXT           -- the member resigned (art. 6.3)
) STRICT;

-- A forward of the original message (participation notices to a group's Locomotive): the
-- message of message_row_id goes along as a message/rfc822 attachment.
ALTER TABLE outbox ADD COLUMN forward_original INTEGER NOT NULL DEFAULT 0;
