//! Fonts as far as text extraction needs them (ISO 32000-1, 9.5 to 9.10): how a string
//! splits into character codes, the text of each code, and each code's advance width.
//!
//! The text of a code comes from `/ToUnicode` when it maps the code (9.10.2, method 1),
//! else, for simple fonts, from `/Encoding` with its `/Differences` (9.6.6), else from the
//! font's built-in encoding for Symbol and ZapfDingbats, else from Latin-1.

use lopdf::{Dictionary, Document, Object};

use super::cmap::{code_of, CMap, Unicode};
use super::encoding::{glyph_name_text, standard_width, Base};
use super::{array, dict, name, number, stream_bytes, Budget, TextError};

/// Width assumed for a glyph whose font gives none, in thousandths of an em.
const FALLBACK_WIDTH: f32 = 500.0;

/// Bound on the explicit entries of a CID font's `/W` array.
const MAX_CID_WIDTHS: usize = 65_536;

/// A loaded font.
#[derive(Debug)]
pub(super) struct Font {
    kind: Kind,
    /// From width units to text space: 1/1000, or a Type 3 font's `/FontMatrix` (9.6.5).
    width_scale: f32,
}

#[derive(Debug)]
enum Kind {
    /// One byte per code: text and width tables for all 256 codes.
    Simple(Box<SimpleFont>),
    /// A Type 0 font: codes of one to four bytes, widths by CID.
    Composite(Box<CompositeFont>),
}

#[derive(Debug)]
struct SimpleFont {
    /// One entry per code.
    glyphs: Vec<SimpleGlyph>,
}

/// What one code of a simple font shows, and its advance.
#[derive(Debug, Clone)]
pub(super) struct SimpleGlyph {
    /// The advance in text space for a font size of 1.
    pub(super) width: f32,
    /// Whether it is text, space or nothing.
    pub(super) shown: Shown,
    /// Its text, without control characters.
    pub(super) text: Unicode,
}

/// What a character code shows, as far as text goes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Shown {
    /// No text (an unmapped code).
    Nothing,
    /// White space: it separates words.
    Space,
    /// Text.
    Text,
}

/// Removes control characters from what follows `start` in `out`, and says what is
/// left.
fn clean(out: &mut String, start: usize) -> Shown {
    let written = out.get(start..).unwrap_or_default();
    if written.chars().all(char::is_whitespace) {
        let shown = if written.is_empty() {
            Shown::Nothing
        } else {
            Shown::Space
        };
        out.truncate(start);
        return shown;
    }
    if written.chars().any(char::is_control) {
        let kept: String = written.chars().filter(|c| !c.is_control()).collect();
        out.truncate(start);
        out.push_str(&kept);
    }
    Shown::Text
}

#[derive(Debug)]
struct CompositeFont {
    /// The encoding CMap when embedded; `None` for Identity-H/V and the predefined
    /// two-byte CMaps.
    encoding: Option<CMap>,
    to_unicode: Option<CMap>,
    /// `/W` entries: first CID, last CID, width; sorted by first CID.
    widths: Vec<(u32, u32, f32)>,
    default_width: f32,
}

impl Font {
    /// Reads the font dictionary `font`.
    pub(super) fn load(
        document: &Document,
        font: &Dictionary,
        budget: &mut Budget,
    ) -> Result<Font, TextError> {
        let to_unicode = match dict_stream(document, font, b"ToUnicode") {
            Some(stream) => stream_bytes(stream, budget)?.map(|data| CMap::parse(&data)),
            None => None,
        };
        let subtype = name(document, font, b"Subtype").unwrap_or_default();
        if subtype == b"Type0" {
            let composite = CompositeFont::load(document, font, to_unicode, budget)?;
            return Ok(Font {
                kind: Kind::Composite(Box::new(composite)),
                width_scale: 0.001,
            });
        }
        let width_scale = match (subtype, array(document, font, b"FontMatrix")) {
            (b"Type3", Some(matrix)) => matrix
                .first()
                .and_then(|o| as_number(document, o))
                .map_or(0.001, |a| a as f32),
            _ => 0.001,
        };
        let simple = SimpleFont::load(document, font, subtype, to_unicode.as_ref(), width_scale);
        Ok(Font {
            kind: Kind::Simple(Box::new(simple)),
            width_scale,
        })
    }

    /// The code at the start of `bytes`, and its length in bytes (0 only when empty).
    pub(super) fn next_code(&self, bytes: &[u8]) -> (u32, usize) {
        let len = match &self.kind {
            Kind::Simple(_) => 1,
            Kind::Composite(font) => font
                .encoding
                .as_ref()
                .and_then(|cmap| cmap.code_length(bytes))
                .unwrap_or(2),
        };
        code_of(bytes.get(..len.min(bytes.len())).unwrap_or_default())
    }

    /// The glyphs of a simple font, one per byte value; `None` for a composite font.
    pub(super) fn simple_glyphs(&self) -> Option<&[SimpleGlyph]> {
        match &self.kind {
            Kind::Simple(font) => Some(&font.glyphs),
            Kind::Composite(_) => None,
        }
    }

    /// Appends the text of `code` to `out` (nothing for white space), and says what
    /// it shows.
    pub(super) fn write_text(&self, code: u32, len: usize, out: &mut String) -> Shown {
        match &self.kind {
            Kind::Simple(font) => {
                let index = usize::try_from(code).unwrap_or(usize::MAX);
                match font.glyphs.get(index) {
                    Some(glyph) if glyph.shown == Shown::Text => {
                        glyph.text.write(out);
                        Shown::Text
                    }
                    Some(glyph) => glyph.shown,
                    None => Shown::Nothing,
                }
            }
            Kind::Composite(font) => {
                let start = out.len();
                match &font.to_unicode {
                    Some(cmap) if cmap.write(code, len, out) => clean(out, start),
                    _ => Shown::Nothing,
                }
            }
        }
    }

    /// The advance of `code` in text space for a font size of 1 (9.2.4).
    pub(super) fn width(&self, code: u32, len: usize) -> f32 {
        match &self.kind {
            Kind::Simple(font) => usize::try_from(code)
                .ok()
                .and_then(|code| font.glyphs.get(code))
                .map_or(0.0, |glyph| glyph.width),
            Kind::Composite(font) => font.width(code, len) * self.width_scale,
        }
    }
}

impl SimpleFont {
    fn load(
        document: &Document,
        font: &Dictionary,
        subtype: &[u8],
        to_unicode: Option<&CMap>,
        width_scale: f32,
    ) -> SimpleFont {
        let base_font = name(document, font, b"BaseFont").unwrap_or_default();
        let (base, differences) = encoding_of(document, font, subtype, base_font);
        let mut scratch = String::new();
        let raw: Vec<Unicode> = (0..=255u8)
            .map(|code| {
                scratch.clear();
                if to_unicode.is_some_and(|c| c.write(u32::from(code), 1, &mut scratch)) {
                    return Unicode::from_text(&scratch);
                }
                match differences.get(usize::from(code)).copied().flatten() {
                    // An unknown glyph name (`g12`) says nothing; the base encoding may.
                    Some(name) => match glyph_name_text(name) {
                        Unicode::None => base.char(code).map_or(Unicode::None, Unicode::One),
                        known => known,
                    },
                    None => base.char(code).map_or(Unicode::None, Unicode::One),
                }
            })
            .collect();
        let widths = simple_widths(document, font, base_font, &raw);
        let glyphs = raw
            .into_iter()
            .zip(widths)
            .map(|(entry, width)| {
                let width = width * width_scale;
                let (shown, text) = match entry {
                    Unicode::None => (Shown::Nothing, Unicode::None),
                    Unicode::One(c) if c.is_whitespace() => (Shown::Space, Unicode::None),
                    Unicode::One(c) if !c.is_control() => (Shown::Text, Unicode::One(c)),
                    other => {
                        scratch.clear();
                        other.write(&mut scratch);
                        (clean(&mut scratch, 0), Unicode::from_text(&scratch))
                    }
                };
                SimpleGlyph { width, shown, text }
            })
            .collect();
        SimpleFont { glyphs }
    }
}

/// The base encoding and the `/Differences` glyph names (by code) of a simple font.
fn encoding_of<'d>(
    document: &'d Document,
    font: &'d Dictionary,
    subtype: &[u8],
    base_font: &[u8],
) -> (Base, Vec<Option<&'d [u8]>>) {
    // Without a named encoding, a Type 1 font's built-in one is usually Standard; other
    // fonts are read as Latin-1. Symbol and ZapfDingbats have their own.
    let default = Base::builtin(base_font).unwrap_or(match subtype {
        b"Type1" | b"MMType1" => Base::Standard,
        _ => Base::Latin1,
    });
    let mut differences = vec![None; 256];
    let Some(encoding) = font
        .get(b"Encoding")
        .ok()
        .and_then(|o| resolve(document, o))
    else {
        return (default, differences);
    };
    match encoding {
        Object::Name(name) => (Base::from_name(name).unwrap_or(default), differences),
        Object::Dictionary(encoding) => {
            let base = name(document, encoding, b"BaseEncoding")
                .and_then(Base::from_name)
                .unwrap_or(default);
            let mut code = 0usize;
            for item in array(document, encoding, b"Differences").unwrap_or_default() {
                match resolve(document, item) {
                    Some(Object::Integer(start)) => code = usize::try_from(*start).unwrap_or(256),
                    Some(Object::Name(name)) => {
                        if let Some(slot) = differences.get_mut(code) {
                            *slot = Some(name.as_slice());
                        }
                        code = code.saturating_add(1);
                    }
                    _ => {}
                }
            }
            (base, differences)
        }
        _ => (default, differences),
    }
}

/// Widths of all 256 codes from `/FirstChar` and `/Widths` (9.6.2.1), `/MissingWidth`
/// for the others, or the standard 14 fonts' metrics when `/Widths` is absent.
fn simple_widths(
    document: &Document,
    font: &Dictionary,
    base_font: &[u8],
    text: &[Unicode],
) -> Vec<f32> {
    let descriptor = dict(document, font, b"FontDescriptor");
    let missing = descriptor
        .and_then(|d| number(document, d, b"MissingWidth"))
        .map_or(0.0, |w| w as f32);
    let Some(widths) = array(document, font, b"Widths") else {
        return text
            .iter()
            .map(|t| match t {
                Unicode::One(c) => standard_width(base_font, *c),
                _ => None,
            })
            .map(|w| w.unwrap_or(FALLBACK_WIDTH))
            .collect();
    };
    let first = number(document, font, b"FirstChar").unwrap_or(0.0);
    let mut table = vec![missing; 256];
    if (0.0..256.0).contains(&first) {
        let first = first as usize;
        for (slot, width) in table.iter_mut().skip(first).zip(widths) {
            if let Some(width) = as_number(document, width) {
                *slot = width as f32;
            }
        }
    }
    table
}

impl CompositeFont {
    fn load(
        document: &Document,
        font: &Dictionary,
        to_unicode: Option<CMap>,
        budget: &mut Budget,
    ) -> Result<CompositeFont, TextError> {
        // An embedded encoding CMap is a stream; a predefined one is a name, and those
        // that matter here (Identity-H/V, the UCS2 ones) have two-byte codes.
        let encoding = match dict_stream(document, font, b"Encoding") {
            Some(stream) => stream_bytes(stream, budget)?.map(|data| CMap::parse(&data)),
            None => None,
        };
        let descendant = array(document, font, b"DescendantFonts")
            .and_then(|fonts| fonts.first())
            .and_then(|o| resolve(document, o))
            .and_then(|o| o.as_dict().ok());
        let default_width = descendant
            .and_then(|d| number(document, d, b"DW"))
            .map_or(1000.0, |w| w as f32);
        let mut widths = descendant
            .and_then(|d| array(document, d, b"W"))
            .map(|w| cid_widths(document, w))
            .unwrap_or_default();
        widths.sort_by_key(|(first, _, _)| *first);
        Ok(CompositeFont {
            encoding,
            to_unicode,
            widths,
            default_width,
        })
    }

    fn width(&self, code: u32, len: usize) -> f32 {
        let cid = match &self.encoding {
            Some(cmap) => cmap.cid(code, len).unwrap_or(code),
            None => code,
        };
        let after = self.widths.partition_point(|(first, _, _)| *first <= cid);
        match after.checked_sub(1).and_then(|i| self.widths.get(i)) {
            Some((_, last, width)) if cid <= *last => *width,
            _ => self.default_width,
        }
    }
}

/// The entries of a `/W` array (9.7.4.3): `c [w1 w2 ...]` gives widths from CID c on,
/// `c_first c_last w` one width for a range.
fn cid_widths(document: &Document, w: &[Object]) -> Vec<(u32, u32, f32)> {
    let mut out = Vec::new();
    let mut items = w.iter().filter_map(|o| resolve(document, o));
    while let Some(first) = items.next() {
        let Some(first) = as_cid(first) else { continue };
        match items.next() {
            Some(Object::Array(list)) => {
                for (offset, width) in (0u32..).zip(list) {
                    if let Some(width) = as_number(document, width) {
                        let cid = first.saturating_add(offset);
                        out.push((cid, cid, width as f32));
                    }
                }
            }
            Some(last) => {
                let last = as_cid(last);
                let width = items.next().and_then(|o| as_number(document, o));
                if let (Some(last), Some(width)) = (last, width) {
                    out.push((first, last, width as f32));
                }
            }
            None => break,
        }
        if out.len() > MAX_CID_WIDTHS {
            break;
        }
    }
    out
}

fn as_cid(object: &Object) -> Option<u32> {
    match object {
        Object::Integer(cid) => u32::try_from(*cid).ok(),
        _ => None,
    }
}

/// `object`, through references.
fn resolve<'d>(document: &'d Document, object: &'d Object) -> Option<&'d Object> {
    super::resolve(document, object)
}

fn as_number(document: &Document, object: &Object) -> Option<f64> {
    match resolve(document, object)? {
        Object::Integer(value) => Some(*value as f64),
        Object::Real(value) => Some(f64::from(*value)),
        _ => None,
    }
}

/// The stream under `key` (a reference to one, as `/ToUnicode` and `/Encoding` are).
fn dict_stream<'d>(
    document: &'d Document,
    dictionary: &'d Dictionary,
    key: &[u8],
) -> Option<&'d lopdf::Stream> {
    let object = dictionary.get(key).ok()?;
    resolve(document, object)?.as_stream().ok()
}
