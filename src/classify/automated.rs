//! Machine-sent mail: delivery reports (RFC 3464), auto-replies (RFC 3834) and bulk mail
//! (RFC 2369 list headers, `Precedence`). None of it is ever answered; answering it is how
//! mail loops start.

use super::subject::SubjectKind;
use crate::intake::{AutomationHeaders, Envelope};
use crate::rules::Reason;

/// Local parts of the addresses delivery reports come from.
const REPORT_SENDERS: [&str; 4] = [
    "mailer-daemon",
    "postmaster",
    "mail-daemon",
    "microsoftexchange329e71ec88ae4615bbc36ab6ce41109e",
];

/// Why `envelope` is a delivery report, if it is one.
pub fn bounce_reason(envelope: &Envelope, by_subject: Option<SubjectKind>) -> Option<Reason> {
    let from_report_sender = envelope.from_addr.as_deref().is_some_and(|address| {
        let local = address.split('@').next().unwrap_or("");
        REPORT_SENDERS
            .iter()
            .any(|sender| local.eq_ignore_ascii_case(sender))
    });
    if envelope.automation.delivery_report {
        Some(Reason::BounceReport)
    } else if from_report_sender || envelope.automation.null_return_path {
        Some(Reason::BounceSender)
    } else if by_subject == Some(SubjectKind::Bounce) {
        Some(Reason::BounceSubject)
    } else {
        None
    }
}

/// Why `envelope` is an automatic reply, if it is one.
pub fn auto_reply_reason(envelope: &Envelope, by_subject: Option<SubjectKind>) -> Option<Reason> {
    let headers = &envelope.automation;
    // RFC 3834 §5: any value other than "no" marks an automatic message.
    let auto_submitted = headers
        .auto_submitted
        .as_deref()
        .is_some_and(|value| value.split(';').next().is_some_and(|v| v.trim() != "no"));
    let precedence_auto_reply = headers.precedence.as_deref() == Some("auto_reply");
    if auto_submitted || headers.x_autoreply || precedence_auto_reply {
        Some(Reason::AutoReplyHeader)
    } else if by_subject == Some(SubjectKind::AutoReply) {
        Some(Reason::AutoReplySubject)
    } else {
        None
    }
}

/// Whether `headers` mark list or bulk mail.
pub fn is_bulk(headers: &AutomationHeaders) -> bool {
    headers.list_headers
        || matches!(
            headers.precedence.as_deref(),
            Some("bulk" | "list" | "junk")
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn envelope(automation: AutomationHeaders, from: &str) -> Envelope {
        Envelope {
            from_addr: Some(from.to_owned()),
            automation,
            ..Envelope::default()
        }
    }

    #[test]
    fn auto_submitted_no_is_a_person_writing() {
        let headers = AutomationHeaders {
            auto_submitted: Some("no".to_owned()),
            ..AutomationHeaders::default()
        };
        assert_eq!(
            auto_reply_reason(&envelope(headers, "a@example.test"), None),
            None
        );
    }

    #[test]
    fn auto_generated_with_a_comment_is_still_automatic() {
        let headers = AutomationHeaders {
            auto_submitted: Some("auto-generated; owner-email=\"x@example.test\"".to_owned()),
            ..AutomationHeaders::default()
        };
        assert_eq!(
            auto_reply_reason(&envelope(headers, "a@example.test"), None),
            Some(Reason::AutoReplyHeader)
        );
    }

    #[test]
    fn a_postmaster_report_is_a_bounce_even_without_report_headers() {
        let found = bounce_reason(
            &envelope(AutomationHeaders::default(), "PostMaster@hopital.example"),
            None,
        );
        assert_eq!(found, Some(Reason::BounceSender));
    }

    #[test]
    fn precedence_bulk_and_list_headers_mark_bulk_mail() {
        assert!(is_bulk(&AutomationHeaders {
            precedence: Some("bulk".to_owned()),
            ..AutomationHeaders::default()
        }));
        assert!(is_bulk(&AutomationHeaders {
            list_headers: true,
            ..AutomationHeaders::default()
        }));
        assert!(!is_bulk(&AutomationHeaders::default()));
    }
}
