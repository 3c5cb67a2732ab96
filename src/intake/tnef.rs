//! The attachments inside an Outlook `winmail.dat` (TNEF, MS-OXTNEF).
//!
//! Outlook sends "rich text" mail as one `application/ms-tnef` part that wraps the real
//! attachments, so a signed form can arrive as `winmail.dat`. No maintained Rust decoder
//! exists; this reads only what the pipeline needs — each attachment's title and bytes —
//! and skips every other attribute. Bounded by the input (every length is checked against
//! what is left) and by the caller's count and size limits.

#![cfg_attr(not(test), deny(clippy::indexing_slicing, clippy::string_slice))]

/// `TNEF_SIGNATURE`, little-endian at offset 0.
const SIGNATURE: u32 = 0x223E_9F78;
/// attAttachRendData: starts each attachment's attributes.
const ATT_ATTACH_REND_DATA: u32 = 0x0006_9002;
/// attAttachTitle: the short file name (8-bit, NUL-terminated).
const ATT_ATTACH_TITLE: u32 = 0x0001_8010;
/// attAttachData: the attachment's bytes.
const ATT_ATTACH_DATA: u32 = 0x0006_800F;
/// LVL_ATTACHMENT.
const LEVEL_ATTACHMENT: u8 = 0x02;

/// One attachment carried in a TNEF stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TnefAttachment {
    /// Its file name, as Outlook wrote it.
    pub name: Option<String>,
    /// Its bytes; empty when over the size limit.
    pub bytes: Vec<u8>,
    /// Larger than the limit given.
    pub too_large: bool,
}

/// Whether `bytes` start like a TNEF stream.
pub fn is_tnef(bytes: &[u8]) -> bool {
    bytes
        .get(..4)
        .and_then(|b| b.try_into().ok())
        .is_some_and(|b| u32::from_le_bytes(b) == SIGNATURE)
}

/// The attachments of a TNEF stream (at most `max_count`, each kept up to `max_bytes`),
/// or `None` when `bytes` is not TNEF. A damaged stream yields what was read before the
/// damage.
pub fn attachments(
    bytes: &[u8],
    max_count: usize,
    max_bytes: usize,
) -> Option<Vec<TnefAttachment>> {
    if !is_tnef(bytes) {
        return None;
    }
    // Signature (4) and legacy key (2), then attributes.
    let mut rest = bytes.get(6..)?;
    let mut found: Vec<TnefAttachment> = Vec::new();
    while let Some((level, id, data, after)) = attribute(rest) {
        rest = after;
        if level != LEVEL_ATTACHMENT {
            continue;
        }
        match id {
            ATT_ATTACH_REND_DATA => {
                if found.len() >= max_count {
                    break;
                }
                found.push(TnefAttachment {
                    name: None,
                    bytes: Vec::new(),
                    too_large: false,
                });
            }
            ATT_ATTACH_TITLE => {
                if let Some(current) = found.last_mut() {
                    current.name = title(data);
                }
            }
            ATT_ATTACH_DATA => {
                if let Some(current) = found.last_mut() {
                    current.too_large = data.len() > max_bytes;
                    if !current.too_large {
                        current.bytes = data.to_vec();
                    }
                }
            }
            _ => {}
        }
    }
    Some(found)
}

/// One attribute: level, id, data, and what follows its checksum.
fn attribute(bytes: &[u8]) -> Option<(u8, u32, &[u8], &[u8])> {
    let (&level, rest) = bytes.split_first()?;
    let id = u32::from_le_bytes(rest.get(..4)?.try_into().ok()?);
    let length = u32::from_le_bytes(rest.get(4..8)?.try_into().ok()?);
    let length = usize::try_from(length).ok()?;
    let data = rest.get(8..8usize.checked_add(length)?)?;
    // The data is followed by a 16-bit checksum, which we do not need to trust.
    let after = rest.get(8 + length + 2..)?;
    Some((level, id, data, after))
}

/// A NUL-terminated 8-bit title: ASCII as is, other bytes as Windows-1252 is close to
/// Latin-1 for file names.
fn title(data: &[u8]) -> Option<String> {
    let end = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    let name: String = data.get(..end)?.iter().map(|&b| char::from(b)).collect();
    let name = name.trim().to_owned();
    (!name.is_empty()).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attr(level: u8, id: u32, data: &[u8]) -> Vec<u8> {
        let mut out = vec![level];
        out.extend(id.to_le_bytes());
        out.extend(u32::try_from(data.len()).expect("len").to_le_bytes());
        out.extend(data);
        let sum: u32 = data.iter().map(|&b| u32::from(b)).sum();
        out.extend(u16::try_from(sum % 65_536).expect("sum").to_le_bytes());
        out
    }

    fn stream(attachments: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = SIGNATURE.to_le_bytes().to_vec();
        out.extend(0x0001_u16.to_le_bytes());
        out.extend(attr(0x01, 0x0008_9006, &[1, 0, 0, 0]));
        for (name, bytes) in attachments {
            out.extend(attr(
                LEVEL_ATTACHMENT,
                ATT_ATTACH_REND_DATA,
                &[1, 0, 0xFF, 0xFF],
            ));
            let mut title = name.as_bytes().to_vec();
            title.push(0);
            out.extend(attr(LEVEL_ATTACHMENT, ATT_ATTACH_TITLE, &title));
            out.extend(attr(LEVEL_ATTACHMENT, ATT_ATTACH_DATA, bytes));
        }
        out
    }

    #[test]
    fn each_attachment_comes_out_with_its_title_and_bytes() {
        let tnef = stream(&[("FORMUL~1.PDF", b"%PDF-1.7 form"), ("logo.png", b"\x89PNG")]);
        let found = attachments(&tnef, 10, 1024).expect("tnef");
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].name.as_deref(), Some("FORMUL~1.PDF"));
        assert_eq!(found[0].bytes, b"%PDF-1.7 form");
        assert_eq!(found[1].bytes, b"\x89PNG");
    }

    #[test]
    fn limits_and_damage_are_outcomes_not_panics() {
        let tnef = stream(&[("a.pdf", b"%PDF-1.7 abcdef"), ("b.pdf", b"%PDF")]);
        let found = attachments(&tnef, 1, 4).expect("tnef");
        assert_eq!(found.len(), 1);
        assert!(found[0].too_large);
        assert!(found[0].bytes.is_empty());
        for cut in 0..tnef.len() {
            let _ = attachments(tnef.get(..cut).unwrap_or_default(), 8, 1024);
        }
        assert_eq!(attachments(b"not tnef", 8, 1024), None);
    }
}
