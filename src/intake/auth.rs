//! Did DMARC pass? Reads the verdict that our own receiving system recorded in an
//! `Authentication-Results` header (RFC 8601).
//!
//! Contact changes and resignations are applied only if DMARC did not fail, so the
//! caller passes the value of the *topmost* header, the one our system added: any lower
//! one may have been written by the sender. Two dialects are read: the standard one
//! (`mx.example.be; spf=pass …; dmarc=pass …`) and Exchange Online's, which has no
//! authserv-id and adds `compauth` and `action=`.
//!
//! When in doubt the answer is [`Dmarc::Unknown`], never `Pass` or `None`: a header we
//! cannot read (an unclosed comment, a result that is not a keyword, a `dmarc=` hidden
//! in a part whose `;` is missing) must not let a change through.

#![cfg_attr(not(test), deny(clippy::indexing_slicing, clippy::string_slice))]

/// Longer values are cut to this many bytes before reading: a real header is a few
/// hundred bytes, and this bounds the work on a hostile one.
const MAX_VALUE_BYTES: usize = 8 * 1024;

/// The DMARC result our receiving system recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dmarc {
    /// `dmarc=pass`, or Exchange Online's `dmarc=bestguesspass` (the domain publishes no
    /// DMARC record, but the message would have passed one).
    Pass,
    /// `dmarc=fail`, whatever the policy applied (`action=`, `p=`).
    Fail,
    /// `dmarc=none` or `dmarc=neutral`, or no DMARC result in the header at all.
    None,
    /// `temperror`, `permerror`, a result we do not know, or a header we cannot read.
    Unknown,
}

impl Dmarc {
    /// How much a result weighs when one header holds several: the most worrying wins.
    fn severity(self) -> u8 {
        match self {
            Dmarc::Pass => 0,
            Dmarc::None => 1,
            Dmarc::Unknown => 2,
            Dmarc::Fail => 3,
        }
    }
}

/// Reads the DMARC verdict from one Authentication-Results header value (unfolded or
/// folded). Comments are ignored, case does not matter, only the first 8 KiB are read.
/// Several DMARC results in one header give the most worrying one (fail, then unknown,
/// then none).
#[must_use]
pub fn dmarc(value: &str) -> Dmarc {
    match parts(within_limit(value)) {
        Some(parts) => verdict(&parts),
        Option::None => Dmarc::Unknown,
    }
}

/// The value cut to [`MAX_VALUE_BYTES`], on a character boundary.
fn within_limit(value: &str) -> &str {
    let end = value.floor_char_boundary(MAX_VALUE_BYTES);
    value.get(..end).unwrap_or_default()
}

/// The `;`-separated parts of a header value, with comments replaced by a space, quoted
/// strings emptied to `""` (so that neither can hide a `;` or a `dmarc=`), and folding
/// (CR, LF, tab) read as spaces. `None` when a comment or quoted string is left open or
/// a `)` closes nothing: such a header cannot be read with confidence.
fn parts(value: &str) -> Option<Vec<String>> {
    let mut parts = Vec::new();
    let mut part = String::new();
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        match c {
            ';' => parts.push(std::mem::take(&mut part)),
            '(' => {
                skip_comment(&mut chars)?;
                part.push(' ');
            }
            '"' => {
                skip_quoted_string(&mut chars)?;
                part.push_str("\"\"");
            }
            ')' => return None,
            '\r' | '\n' | '\t' => part.push(' '),
            _ => part.push(c),
        }
    }
    parts.push(part);
    Some(parts)
}

/// Consumes a comment whose `(` has been read, nested comments and `\` escapes included
/// (RFC 5322 §3.2.2). `None` if it never closes.
fn skip_comment(chars: &mut std::str::Chars<'_>) -> Option<()> {
    let mut depth = 1_usize;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next()?;
            }
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(());
                }
            }
            _ => {}
        }
    }
    None
}

/// Consumes a quoted string whose `"` has been read, `\` escapes included. `None` if it
/// never closes.
fn skip_quoted_string(chars: &mut std::str::Chars<'_>) -> Option<()> {
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next()?;
            }
            '"' => return Some(()),
            _ => {}
        }
    }
    None
}

/// What one part of the header is.
#[derive(Debug, PartialEq, Eq)]
enum Part<'a> {
    /// A result: `method[/version] = result`, then whatever follows (reason, properties,
    /// Exchange's `action=`).
    Result {
        method: &'a str,
        result: &'a str,
        rest: &'a str,
    },
    /// The authserv-id, with its optional version (first part only).
    AuthservId,
    /// `none`: the receiving system checked nothing.
    NoResult,
    /// Empty: a `;` at the end, or two in a row.
    Empty,
    /// Anything else.
    Unreadable,
}

fn read_part(text: &str, is_first: bool) -> Part<'_> {
    let text = text.trim();
    if text.is_empty() {
        return Part::Empty;
    }
    if let Some(result) = method_result(text) {
        return result;
    }
    // Exchange Online writes no authserv-id, so the first part may be a result (tried
    // above); the standard form starts with one.
    if is_first && is_authserv_id(text) {
        Part::AuthservId
    } else if !is_first && text.eq_ignore_ascii_case("none") {
        Part::NoResult
    } else {
        Part::Unreadable
    }
}

/// Reads `method [/ version] = result` at the start of a part (RFC 8601 §2.2, spaces
/// allowed around `/` and `=`).
fn method_result(text: &str) -> Option<Part<'_>> {
    let (method, rest) = leading(text, is_keyword_char)?;
    let rest = rest.trim_start();
    let rest = match rest.strip_prefix('/') {
        Some(version) => leading(version.trim_start(), |c| c.is_ascii_digit())?
            .1
            .trim_start(),
        None => rest,
    };
    let rest = rest.strip_prefix('=')?.trim_start();
    let (result, rest) = leading(rest, is_keyword_char)?;
    // "dmarc=pass.x" or `dmarc=pass""` is not a result we can vouch for.
    if !(rest.is_empty() || rest.starts_with(char::is_whitespace)) {
        return None;
    }
    Some(Part::Result {
        method,
        result,
        rest,
    })
}

/// Splits off the longest non-empty run of characters that `accept`s.
fn leading(text: &str, accept: impl Fn(char) -> bool) -> Option<(&str, &str)> {
    let end = text.find(|c: char| !accept(c)).unwrap_or(text.len());
    if end == 0 {
        return None;
    }
    text.split_at_checked(end)
}

/// RFC 8601 `Keyword` (RFC 5321 `Ldh-str`): letters, digits, hyphens.
fn is_keyword_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-'
}

/// `authserv-id [CFWS authres-version]`: a MIME token or a quoted string (already
/// emptied to `""`), optionally followed by digits.
fn is_authserv_id(text: &str) -> bool {
    let mut words = text.split_whitespace();
    let id_ok = words
        .next()
        .is_some_and(|id| id == "\"\"" || id.chars().all(is_token_char));
    let version_ok = words
        .next()
        .is_none_or(|version| version.chars().all(|c| c.is_ascii_digit()));
    id_ok && version_ok && words.next().is_none()
}

/// RFC 2045 `token` characters: no space, no control, no tspecial.
fn is_token_char(c: char) -> bool {
    !c.is_whitespace() && !c.is_control() && !"()<>@,;:\\\"/[]?=".contains(c)
}

/// Whether `text` holds something shaped like a DMARC result (`dmarc=…`,
/// `dmarc = …`, `dmarc/1=…`). Used on what follows a result and on unreadable parts, to
/// notice a `dmarc=` that a missing `;` has glued to another result.
fn mentions_dmarc_result(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    let mut words = lower.split_whitespace().peekable();
    while let Some(word) = words.next() {
        if let Some(after) = word.strip_prefix("dmarc") {
            let after = if after.is_empty() {
                words.peek().copied().unwrap_or_default()
            } else {
                after
            };
            if after.starts_with('=') || after.starts_with('/') {
                return true;
            }
        }
    }
    false
}

/// What a `dmarc=` result keyword means (RFC 7489 §11.2, plus Exchange Online's
/// `bestguesspass`).
fn dmarc_result(result: &str) -> Dmarc {
    match result.to_ascii_lowercase().as_str() {
        "pass" | "bestguesspass" => Dmarc::Pass,
        "fail" => Dmarc::Fail,
        "none" | "neutral" => Dmarc::None,
        // temperror, permerror, and anything a future system may write.
        _ => Dmarc::Unknown,
    }
}

/// The verdict of a header split into parts.
fn verdict(parts: &[String]) -> Dmarc {
    let mut dmarc_results = Vec::new();
    let mut readable_results = false;
    let mut unreadable = false;
    for (index, text) in parts.iter().enumerate() {
        match read_part(text, index == 0) {
            Part::Result {
                method,
                result,
                rest,
            } => {
                readable_results = true;
                if method.eq_ignore_ascii_case("dmarc") {
                    dmarc_results.push(dmarc_result(result));
                }
                if mentions_dmarc_result(rest) {
                    dmarc_results.push(Dmarc::Unknown);
                }
            }
            Part::NoResult => readable_results = true,
            Part::AuthservId | Part::Empty => {}
            Part::Unreadable => {
                unreadable = true;
                if mentions_dmarc_result(text) {
                    dmarc_results.push(Dmarc::Unknown);
                }
            }
        }
    }
    match dmarc_results
        .into_iter()
        .max_by_key(|result| result.severity())
    {
        Some(result) => result,
        // "No DMARC result" is only believed from a header we could read whole.
        Option::None if readable_results && !unreadable => Dmarc::None,
        Option::None => Dmarc::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // --- the standard form ---

    #[test]
    fn a_standard_header_with_dmarc_pass_is_pass() {
        let value = "mx.example.be; spf=pass smtp.mailfrom=a.be; dkim=pass header.d=a.be; \
                     dmarc=pass (p=none dis=none) header.from=a.be";
        assert_eq!(dmarc(value), Dmarc::Pass);
    }

    #[test]
    fn a_standard_header_with_several_results_and_comments_is_read() {
        let value = "mx.aset-w.be; dkim=pass header.i=@chr-hautemeuse.be header.s=sel1 \
                     header.b=Xy12AbCd; arc=none; spf=pass (mx.aset-w.be: domain of \
                     secretariat@chr-hautemeuse.be designates 192.0.2.10 as permitted sender) \
                     smtp.mailfrom=secretariat@chr-hautemeuse.be; dmarc=pass (p=QUARANTINE \
                     sp=QUARANTINE dis=NONE) header.from=chr-hautemeuse.be";
        assert_eq!(dmarc(value), Dmarc::Pass);
    }

    #[test]
    fn an_authserv_id_with_a_version_is_accepted() {
        assert_eq!(
            dmarc("mx.aset-w.be 1; dmarc=pass header.from=a.be"),
            Dmarc::Pass
        );
        assert_eq!(
            dmarc("\"mx aset-w\"; dmarc=fail header.from=a.be"),
            Dmarc::Fail
        );
    }

    #[test]
    fn a_method_version_is_accepted() {
        assert_eq!(
            dmarc("mx.aset-w.be; dmarc/1=fail header.from=a.be"),
            Dmarc::Fail
        );
    }

    #[test]
    fn spaces_around_the_equals_sign_are_accepted() {
        assert_eq!(
            dmarc("mx.aset-w.be; dmarc = fail header.from=a.be"),
            Dmarc::Fail
        );
    }

    // --- results ---

    #[test]
    fn dmarc_fail_is_fail_whatever_the_policy() {
        for value in [
            "mx.aset-w.be; dmarc=fail (p=reject dis=none) header.from=spw.wallonie.be",
            "mx.aset-w.be; dmarc=fail (p=quarantine dis=quarantine) header.from=a.be",
            "mx.aset-w.be; dmarc=fail (p=none dis=none) header.from=a.be",
            "mx.aset-w.be; dmarc=fail policy.dmarc=reject header.from=a.be",
        ] {
            assert_eq!(dmarc(value), Dmarc::Fail, "{value}");
        }
    }

    #[test]
    fn dmarc_none_and_neutral_are_none() {
        assert_eq!(
            dmarc("mx.aset-w.be; spf=pass smtp.mailfrom=a.be; dmarc=none header.from=a.be"),
            Dmarc::None
        );
        assert_eq!(
            dmarc("mx.aset-w.be; dmarc=neutral header.from=a.be"),
            Dmarc::None
        );
    }

    #[test]
    fn a_header_without_a_dmarc_result_is_none() {
        let value = "mx.aset-w.be; spf=pass smtp.mailfrom=a.be; dkim=pass header.d=a.be";
        assert_eq!(dmarc(value), Dmarc::None);
    }

    #[test]
    fn a_header_saying_none_checked_is_none() {
        assert_eq!(dmarc("mx.aset-w.be; none"), Dmarc::None);
        assert_eq!(dmarc("mx.aset-w.be 1;\r\n none"), Dmarc::None);
    }

    #[test]
    fn temporary_and_permanent_errors_are_unknown() {
        assert_eq!(
            dmarc("mx.aset-w.be; dmarc=temperror header.from=a.be"),
            Dmarc::Unknown
        );
        assert_eq!(
            dmarc("mx.aset-w.be; dmarc=permerror header.from=a.be"),
            Dmarc::Unknown
        );
    }

    #[test]
    fn a_result_word_we_do_not_know_is_unknown() {
        assert_eq!(
            dmarc("mx.aset-w.be; dmarc=softfail header.from=a.be"),
            Dmarc::Unknown
        );
        assert_eq!(
            dmarc("mx.aset-w.be; dmarc=pass.x header.from=a.be"),
            Dmarc::Unknown
        );
        assert_eq!(
            dmarc("mx.aset-w.be; dmarc=\"pass\" header.from=a.be"),
            Dmarc::Unknown
        );
        assert_eq!(dmarc("mx.aset-w.be; dmarc= ; spf=pass"), Dmarc::Unknown);
    }

    #[test]
    fn the_most_worrying_of_several_dmarc_results_wins() {
        let value = "mx.aset-w.be; dmarc=pass header.from=a.be; dmarc=fail header.from=b.be";
        assert_eq!(dmarc(value), Dmarc::Fail);
        let value = "mx.aset-w.be; dmarc=pass header.from=a.be; dmarc=temperror header.from=b.be";
        assert_eq!(dmarc(value), Dmarc::Unknown);
        let value = "mx.aset-w.be; dmarc=none header.from=a.be; dmarc=pass header.from=b.be";
        assert_eq!(dmarc(value), Dmarc::None);
    }

    // --- Exchange Online ---

    #[test]
    fn an_exchange_online_header_with_dmarc_pass_is_pass() {
        let value = "spf=pass (sender IP is 192.0.2.10) smtp.mailfrom=chr-hautemeuse.be; \
                     dkim=pass (signature was verified) header.d=chr-hautemeuse.be;\
                     dmarc=pass action=none header.from=chr-hautemeuse.be;\
                     compauth=pass reason=100";
        assert_eq!(dmarc(value), Dmarc::Pass);
    }

    #[test]
    fn an_exchange_online_header_with_dmarc_fail_is_fail() {
        let value = "spf=fail (sender IP is 198.51.100.7) smtp.mailfrom=spw.wallonie.be; \
                     dkim=none (message not signed) header.d=none;\
                     dmarc=fail action=oreject header.from=spw.wallonie.be;\
                     compauth=fail reason=000";
        assert_eq!(dmarc(value), Dmarc::Fail);
    }

    #[test]
    fn exchange_onlines_bestguesspass_is_pass() {
        let value = "spf=pass (sender IP is 192.0.2.25) smtp.mailfrom=mrs-tilleuls.be; \
                     dkim=none (message not signed) header.d=none;\
                     dmarc=bestguesspass action=none header.from=mrs-tilleuls.be;\
                     compauth=pass reason=109";
        assert_eq!(dmarc(value), Dmarc::Pass);
    }

    #[test]
    fn an_exchange_online_header_ending_with_a_semicolon_is_read() {
        let value = "spf=pass (sender IP is 192.0.2.10) smtp.mailfrom=a.be; dkim=none \
                     (message not signed) header.d=none;dmarc=none action=none header.from=a.be;";
        assert_eq!(dmarc(value), Dmarc::None);
    }

    // --- comments and quoted strings ---

    #[test]
    fn a_dmarc_result_inside_a_comment_is_ignored() {
        assert_eq!(
            dmarc("spf=fail (dmarc=pass in comment) ; dmarc=fail"),
            Dmarc::Fail
        );
        assert_eq!(
            dmarc("mx.aset-w.be; spf=pass (dmarc=pass; really) smtp.mailfrom=a.be"),
            Dmarc::None
        );
    }

    #[test]
    fn nested_comments_and_escaped_parentheses_are_skipped_whole() {
        let value = "mx.aset-w.be (outer (dmarc=pass) still \\) comment; dmarc=pass); \
                     dmarc=fail header.from=a.be";
        assert_eq!(dmarc(value), Dmarc::Fail);
    }

    #[test]
    fn a_comment_may_stand_anywhere_in_a_result() {
        assert_eq!(
            dmarc("mx.aset-w.be (our MX);(first)dmarc(method)=(result)fail(why) header.from=a.be"),
            Dmarc::Fail
        );
    }

    #[test]
    fn a_quoted_string_cannot_hide_a_separator_or_a_result() {
        let value = "mx.aset-w.be; spf=pass smtp.mailfrom=\"x;dmarc=pass (\\\"\"@a.be; \
                     dmarc=fail header.from=a.be";
        assert_eq!(dmarc(value), Dmarc::Fail);
    }

    // --- folding and case ---

    #[test]
    fn a_folded_header_is_read_as_unfolded() {
        let value = "mx.aset-w.be;\r\n\tspf=pass smtp.mailfrom=a.be;\r\n dkim=pass\r\n \
                     header.d=a.be;\r\n dmarc=pass (p=reject\r\n dis=none)\r\n header.from=a.be";
        assert_eq!(dmarc(value), Dmarc::Pass);
        assert_eq!(dmarc("mx.aset-w.be;\n dmarc\n =\n fail"), Dmarc::Fail);
    }

    #[test]
    fn methods_and_results_are_case_insensitive() {
        assert_eq!(
            dmarc("MX.ASET-W.BE; DMARC=Pass HEADER.FROM=A.BE"),
            Dmarc::Pass
        );
        assert_eq!(
            dmarc("mx.aset-w.be; Dmarc=FAIL header.from=a.be"),
            Dmarc::Fail
        );
        assert_eq!(dmarc("mx.aset-w.be; dmarc=BestGuessPass"), Dmarc::Pass);
    }

    // --- what cannot be read ---

    #[test]
    fn an_empty_value_is_unknown() {
        assert_eq!(dmarc(""), Dmarc::Unknown);
        assert_eq!(dmarc(" \r\n "), Dmarc::Unknown);
    }

    #[test]
    fn an_authserv_id_alone_is_unknown() {
        assert_eq!(dmarc("mx.aset-w.be"), Dmarc::Unknown);
    }

    #[test]
    fn an_unclosed_comment_or_quoted_string_is_unknown() {
        assert_eq!(dmarc("mx.aset-w.be; dmarc=pass (p=none"), Dmarc::Unknown);
        assert_eq!(
            dmarc("mx.aset-w.be; dmarc=pass header.from=\"a.be"),
            Dmarc::Unknown
        );
        assert_eq!(dmarc("mx.aset-w.be; dmarc=pass (p=none \\"), Dmarc::Unknown);
    }

    #[test]
    fn a_stray_closing_parenthesis_is_unknown() {
        assert_eq!(
            dmarc("mx.aset-w.be; dmarc=pass p=none) header.from=a.be"),
            Dmarc::Unknown
        );
    }

    #[test]
    fn a_dmarc_result_glued_to_another_by_a_missing_semicolon_is_unknown() {
        let value = "mx.aset-w.be; spf=pass smtp.mailfrom=a.be dmarc=pass header.from=a.be";
        assert_eq!(dmarc(value), Dmarc::Unknown);
        let value = "mx.aset-w.be dmarc=fail header.from=a.be";
        assert_eq!(dmarc(value), Dmarc::Unknown);
    }

    #[test]
    fn without_a_dmarc_result_an_unreadable_part_is_unknown() {
        assert_eq!(dmarc("mx.aset-w.be; spf=pass; ???"), Dmarc::Unknown);
        assert_eq!(dmarc("garbage without any structure"), Dmarc::Unknown);
    }

    #[test]
    fn a_clear_dmarc_result_outweighs_an_unrelated_unreadable_part() {
        assert_eq!(
            dmarc("mx.aset-w.be; x-vendor: 42; dmarc=pass header.from=a.be"),
            Dmarc::Pass
        );
    }

    #[test]
    fn a_property_naming_dmarc_is_not_a_result() {
        let value = "mx.aset-w.be; spf=pass smtp.mailfrom=dmarc.a.be policy.dmarc=none; \
                     dmarc=pass header.from=dmarc.a.be";
        assert_eq!(dmarc(value), Dmarc::Pass);
    }

    // --- size ---

    #[test]
    fn only_the_first_8_kib_are_read() {
        // 300 parts of 29 bytes: the cut falls after the 282nd part's "; ".
        let padding = "; spf=pass smtp.mailfrom=a.be".repeat(300);
        let value = format!("mx.aset-w.be{padding}; dmarc=fail header.from=a.be");
        assert!(value.len() > MAX_VALUE_BYTES);
        assert_eq!(dmarc(&value), Dmarc::None);
        let value = format!(
            "mx.aset-w.be; dmarc=pass header.from=a.be (p=none {})",
            "x".repeat(9000)
        );
        assert_eq!(
            dmarc(&value),
            Dmarc::Unknown,
            "the cut leaves the comment open"
        );
    }

    #[test]
    fn a_cut_inside_a_multibyte_character_does_not_panic() {
        for shift in 0..4 {
            let value = format!(
                "mx.aset-w.be; dmarc=pass {}{}",
                "x".repeat(shift),
                "é".repeat(5000)
            );
            assert!(within_limit(&value).len() <= MAX_VALUE_BYTES);
            assert_eq!(dmarc(&value), Dmarc::Pass);
        }
    }

    #[test]
    fn hostile_input_never_panics() {
        for value in [
            "(".repeat(20_000),
            ")".repeat(20_000),
            "\\".repeat(20_000),
            "\"".repeat(20_001),
            ";".repeat(20_000),
            "dmarc=".repeat(5_000),
            "\u{0}\u{7f}\u{feff};\u{2028}dmarc=pass".to_owned(),
        ] {
            let _ = dmarc(&value);
        }
    }
}
