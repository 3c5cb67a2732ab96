//! CMaps: the `/ToUnicode` maps from character codes to text (ISO 32000-1, 9.10.3) and
//! the embedded encoding CMaps of composite fonts (9.7.5), which say how many bytes a
//! code has (`codespacerange`) and which CID it selects (`cidchar`, `cidrange`).

use super::lexer::{Lexer, Token};

/// Bound on the entries kept from one CMap; a real one has at most a few thousand.
const MAX_ENTRIES: usize = 100_000;

/// The text a character code stands for.
#[derive(Debug, Clone, PartialEq, Default)]
pub(super) enum Unicode {
    /// Nothing known.
    #[default]
    None,
    /// One character, the common case.
    One(char),
    /// Several characters, as for a ligature glyph (`ffi`).
    Many(Box<str>),
}

impl Unicode {
    /// From UTF-16BE bytes, as CMaps write their destinations; a lone byte is a code unit.
    fn from_utf16be(bytes: &[u8]) -> Unicode {
        let units: Vec<u16> = if bytes.len() == 1 {
            bytes.iter().map(|b| u16::from(*b)).collect()
        } else {
            bytes
                .chunks_exact(2)
                .map(|pair| match pair {
                    [high, low] => u16::from_be_bytes([*high, *low]),
                    _ => 0xFFFD,
                })
                .collect()
        };
        Unicode::from_units(&units)
    }

    fn from_units(units: &[u16]) -> Unicode {
        let text: String = char::decode_utf16(units.iter().copied())
            .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect();
        Unicode::from_text(&text)
    }

    /// From a string: `None` if empty, `One` for a single character.
    pub(super) fn from_text(text: &str) -> Unicode {
        let mut chars = text.chars();
        match (chars.next(), chars.next()) {
            (None, _) => Unicode::None,
            (Some(c), None) => Unicode::One(c),
            _ => Unicode::Many(text.into()),
        }
    }

    /// Appends the text to `out`; false if there is none.
    #[inline]
    pub(super) fn write(&self, out: &mut String) -> bool {
        match self {
            Unicode::None => return false,
            Unicode::One(c) => out.push(*c),
            Unicode::Many(text) => out.push_str(text),
        }
        true
    }
}

/// A code of 1 to 4 bytes as one sortable key: its length above its value.
fn key(code: u32, len: usize) -> u64 {
    (len as u64) << 32 | u64::from(code)
}

/// The value of up to four big-endian bytes, and how many there were.
pub(super) fn code_of(bytes: &[u8]) -> (u32, usize) {
    let len = bytes.len().min(4);
    let code = bytes
        .iter()
        .take(4)
        .fold(0u32, |acc, b| acc << 8 | u32::from(*b));
    (code, len)
}

/// One `codespacerange` entry: each byte of a code must lie between the bytes of
/// `low` and `high` (9.7.6.2).
#[derive(Debug)]
struct Codespace {
    low: Vec<u8>,
    high: Vec<u8>,
}

/// A run of consecutive codes, by key.
#[derive(Debug)]
struct Range<T> {
    low: u64,
    high: u64,
    target: T,
}

/// Where a `bfrange` sends its codes: the first code's text, whose last UTF-16 unit
/// grows with the code, or one text per code.
#[derive(Debug)]
enum BfTarget {
    Offset(Vec<u16>),
    Array(Vec<Unicode>),
}

/// A parsed CMap.
#[derive(Debug, Default)]
pub(super) struct CMap {
    codespace: Vec<Codespace>,
    /// `bfchar` entries, sorted by key.
    chars: Vec<(u64, Unicode)>,
    /// `bfrange` entries, sorted by their first key.
    ranges: Vec<Range<BfTarget>>,
    /// `cidchar` and `cidrange` entries (the first CID), sorted by their first key.
    cids: Vec<Range<u32>>,
}

/// The section of a CMap being read.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Section {
    Other,
    Codespace,
    BfChar,
    BfRange,
    CidChar,
    CidRange,
}

impl CMap {
    /// Parses a CMap stream's decoded bytes; what cannot be read is skipped.
    pub(super) fn parse(data: &[u8]) -> CMap {
        let mut cmap = CMap::default();
        let mut lexer = Lexer::new(data);
        let mut arena = Vec::new();
        let mut operands: Vec<Token> = Vec::new();
        let mut section = Section::Other;
        let mut in_array = false;
        while let Some(token) = lexer.next_token(&mut arena) {
            if let Token::Keyword(word) = token {
                section = match word {
                    b"begincodespacerange" => Section::Codespace,
                    b"beginbfchar" => Section::BfChar,
                    b"beginbfrange" => Section::BfRange,
                    b"begincidchar" => Section::CidChar,
                    b"begincidrange" => Section::CidRange,
                    _ => Section::Other,
                };
                operands.clear();
                arena.clear();
                in_array = false;
                continue;
            }
            if section == Section::Other || cmap.len() >= MAX_ENTRIES {
                arena.clear();
                continue;
            }
            // An array opening stays among the operands to mark what follows as one.
            match token {
                Token::ArrayOpen => {
                    in_array = true;
                    operands.push(token);
                }
                Token::ArrayClose => in_array = false,
                _ => operands.push(token),
            }
            if !in_array && cmap.take_entry(section, &operands, &arena) {
                operands.clear();
                arena.clear();
            }
        }
        cmap.chars.sort_by_key(|(key, _)| *key);
        cmap.ranges.sort_by_key(|range| range.low);
        cmap.cids.sort_by_key(|range| range.low);
        cmap
    }

    fn len(&self) -> usize {
        self.codespace.len() + self.chars.len() + self.ranges.len() + self.cids.len()
    }

    /// Records the entry in `operands` once it is complete; true when consumed.
    fn take_entry(&mut self, section: Section, operands: &[Token], arena: &[u8]) -> bool {
        let bytes = |token: &Token| match token {
            Token::String((start, end)) | Token::Name((start, end)) => arena.get(*start..*end),
            _ => None,
        };
        match (section, operands) {
            (Section::Codespace, [low, high]) => {
                if let (Some(low), Some(high)) = (bytes(low), bytes(high)) {
                    if !low.is_empty() && low.len() == high.len() && low.len() <= 4 {
                        self.codespace.push(Codespace {
                            low: low.to_vec(),
                            high: high.to_vec(),
                        });
                    }
                }
                true
            }
            (Section::BfChar, [source, target]) => {
                if let (Some(code), Some(text)) = (bytes(source), bytes(target)) {
                    let (code, len) = code_of(code);
                    let text = match target {
                        Token::Name(_) => super::encoding::glyph_name_text(text),
                        _ => Unicode::from_utf16be(text),
                    };
                    if len > 0 {
                        self.chars.push((key(code, len), text));
                    }
                }
                true
            }
            (Section::BfRange, [low, high, rest @ ..]) if !rest.is_empty() => {
                let target = match rest {
                    [first @ Token::String(_)] => bytes(first).map(|b| {
                        let units = b
                            .chunks(2)
                            .map(|p| p.iter().fold(0u16, |acc, x| acc << 8 | u16::from(*x)))
                            .collect();
                        BfTarget::Offset(units)
                    }),
                    [Token::ArrayOpen, items @ ..] => Some(BfTarget::Array(
                        items
                            .iter()
                            .map(|t| bytes(t).map(Unicode::from_utf16be).unwrap_or_default())
                            .collect(),
                    )),
                    _ => None,
                };
                if let (Some(low), Some(high), Some(target)) = (bytes(low), bytes(high), target) {
                    self.push_range(low, high, target, |cmap, range| cmap.ranges.push(range));
                }
                true
            }
            (Section::CidChar, [source, Token::Number(cid)]) => {
                if let Some(source) = bytes(source) {
                    self.push_range(source, source, *cid as u32, |cmap, r| cmap.cids.push(r));
                }
                true
            }
            (Section::CidRange, [low, high, Token::Number(cid)]) => {
                if let (Some(low), Some(high)) = (bytes(low), bytes(high)) {
                    self.push_range(low, high, *cid as u32, |cmap, r| cmap.cids.push(r));
                }
                true
            }
            // A malformed entry is dropped once it is as long as a good one.
            (Section::CidChar, [_, _, ..]) | (Section::CidRange, [_, _, _, ..]) => true,
            _ => false,
        }
    }

    fn push_range<T>(
        &mut self,
        low: &[u8],
        high: &[u8],
        target: T,
        push: impl FnOnce(&mut Self, Range<T>),
    ) {
        let (low, len) = code_of(low);
        let (high, high_len) = code_of(high);
        if len > 0 && len == high_len && low <= high {
            let range = Range {
                low: key(low, len),
                high: key(high, len),
                target,
            };
            push(self, range);
        }
    }

    /// The number of bytes of the code at the start of `bytes` by the codespace ranges,
    /// `None` when the CMap has none.
    pub(super) fn code_length(&self, bytes: &[u8]) -> Option<usize> {
        let shortest = self.codespace.iter().map(|c| c.low.len()).min()?;
        let matches = |space: &Codespace| {
            let Some(code) = bytes.get(..space.low.len()) else {
                return false;
            };
            code.iter()
                .zip(space.low.iter().zip(&space.high))
                .all(|(byte, (low, high))| low <= byte && byte <= high)
        };
        Some(
            self.codespace
                .iter()
                .filter(|space| matches(space))
                .map(|space| space.low.len())
                .min()
                .unwrap_or(shortest),
        )
    }

    /// Appends the text of `code` (of `len` bytes) to `out`; false if it has none here.
    pub(super) fn write(&self, code: u32, len: usize, out: &mut String) -> bool {
        let wanted = key(code, len);
        if let Ok(index) = self.chars.binary_search_by_key(&wanted, |(k, _)| *k) {
            if let Some((_, text)) = self.chars.get(index) {
                return text.write(out);
            }
        }
        let Some(range) = find(&self.ranges, wanted) else {
            return false;
        };
        let offset = wanted - range.low;
        match &range.target {
            // One UTF-16 unit, the common case: no allocation.
            BfTarget::Offset(units) if units.len() == 1 => units
                .first()
                .and_then(|unit| char::from_u32(u32::from(unit.wrapping_add(offset as u16))))
                .map(|c| out.push(c))
                .is_some(),
            BfTarget::Offset(units) => {
                let mut units = units.clone();
                if let Some(last) = units.last_mut() {
                    *last = last.wrapping_add(offset as u16);
                }
                Unicode::from_units(&units).write(out)
            }
            BfTarget::Array(texts) => usize::try_from(offset)
                .ok()
                .and_then(|i| texts.get(i))
                .is_some_and(|text| text.write(out)),
        }
    }

    /// The CID that `code` selects, if the CMap maps it.
    pub(super) fn cid(&self, code: u32, len: usize) -> Option<u32> {
        let wanted = key(code, len);
        let range = find(&self.cids, wanted)?;
        Some(range.target.wrapping_add((wanted - range.low) as u32))
    }
}

/// The range holding `wanted` among ranges sorted by their first key.
fn find<T>(ranges: &[Range<T>], wanted: u64) -> Option<&Range<T>> {
    let after = ranges.partition_point(|range| range.low <= wanted);
    let range = ranges.get(after.checked_sub(1)?)?;
    (wanted <= range.high).then_some(range)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(cmap: &CMap, code: u32, len: usize) -> String {
        let mut out = String::new();
        cmap.write(code, len, &mut out);
        out
    }

    #[test]
    fn bfchar_and_bfrange_entries_map_codes_to_text() {
        let cmap = CMap::parse(
            b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n\
              1 begincodespacerange <0000> <FFFF> endcodespacerange\n\
              3 beginbfchar <0001> <0041> <0002> <00660069> <0003> /eacute endbfchar\n\
              2 beginbfrange <0010> <0012> <0061> <0020> <0021> [<2612> <2610>] endbfrange\n\
              endcmap",
        );
        assert_eq!(text(&cmap, 1, 2), "A");
        assert_eq!(text(&cmap, 2, 2), "fi");
        assert_eq!(text(&cmap, 3, 2), "é");
        assert_eq!(text(&cmap, 0x11, 2), "b");
        assert_eq!(text(&cmap, 0x21, 2), "☐");
        assert_eq!(text(&cmap, 0x13, 2), "");
        // A one-byte code is not the two-byte code of the same value.
        assert_eq!(text(&cmap, 1, 1), "");
        assert_eq!(cmap.code_length(&[0, 1]), Some(2));
    }

    #[test]
    fn codespace_ranges_set_code_lengths_and_cid_ranges_map_cids() {
        let cmap = CMap::parse(
            b"2 begincodespacerange <00> <80> <8140> <9FFC> endcodespacerange\n\
              1 begincidrange <8140> <817E> 633 endcidrange",
        );
        assert_eq!(cmap.code_length(b"A"), Some(1));
        assert_eq!(cmap.code_length(&[0x81, 0x41]), Some(2));
        assert_eq!(cmap.cid(0x8141, 2), Some(634));
        assert_eq!(cmap.cid(0x41, 1), None);
    }
}
