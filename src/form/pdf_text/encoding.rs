//! Simple-font encodings (ISO 32000-1, 9.6.6 and Annex D): the standard Latin
//! encodings, glyph names as `/Differences` arrays use them (Adobe Glyph List
//! conventions: `eacute`, `uni2612`, `f_f_i`, `a.sc`), and the widths of the standard 14
//! fonts for the fonts that come without `/Widths` (9.6.2.2).

use super::cmap::Unicode;

/// A font's base encoding.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Base {
    /// StandardEncoding, the built-in encoding of most Latin Type 1 fonts.
    Standard,
    /// WinAnsiEncoding (Windows code page 1252).
    WinAnsi,
    /// MacRomanEncoding.
    MacRoman,
    /// No known encoding: bytes are Latin-1.
    Latin1,
    /// The built-in encoding of the standard Symbol font (Greek letters, bullet).
    Symbol,
    /// The built-in encoding of the standard ZapfDingbats font (check marks, boxes).
    ZapfDingbats,
}

impl Base {
    /// The encoding an `/Encoding` or `/BaseEncoding` name selects.
    pub(super) fn from_name(name: &[u8]) -> Option<Base> {
        match name {
            b"StandardEncoding" => Some(Base::Standard),
            b"WinAnsiEncoding" | b"PDFDocEncoding" => Some(Base::WinAnsi),
            b"MacRomanEncoding" => Some(Base::MacRoman),
            _ => None,
        }
    }

    /// The built-in encoding of a font known by its `/BaseFont` name, if it has one
    /// that is not Latin.
    pub(super) fn builtin(base_font: &[u8]) -> Option<Base> {
        let name = strip_subset_tag(base_font);
        if name.starts_with(b"Symbol") {
            Some(Base::Symbol)
        } else if name.starts_with(b"ZapfDingbats") || name.starts_with(b"Dingbats") {
            Some(Base::ZapfDingbats)
        } else {
            None
        }
    }

    /// The character `code` stands for in this encoding.
    pub(super) fn char(self, code: u8) -> Option<char> {
        let unit = match (self, code) {
            (_, 0..=0x1F) => 0,
            (Base::ZapfDingbats, _) => dingbat(code),
            (Base::Symbol, _) => return symbol(code),
            (Base::Standard, b'\'') => 0x2019,
            (Base::Standard, b'`') => 0x2018,
            (_, 0x20..=0x7E) => u16::from(code),
            (Base::WinAnsi, 0x7F) => 0x2022,
            (Base::WinAnsi, 0x80..=0x9F) => table(&WIN_ANSI_80, code - 0x80),
            // WinAnsi's 0xAD is the glyph `hyphen`, not an invisible soft hyphen.
            (Base::WinAnsi, 0xAD) => 0x2D,
            (Base::WinAnsi | Base::Latin1, 0xA0..=0xFF) => u16::from(code),
            (Base::MacRoman, 0x80..=0xFF) => table(&MAC_ROMAN_80, code - 0x80),
            (Base::Standard, 0x80..=0xFF) => table(&STANDARD_80, code - 0x80),
            _ => 0,
        };
        (unit != 0)
            .then(|| char::from_u32(u32::from(unit)))
            .flatten()
    }
}

fn table(entries: &[u16], index: u8) -> u16 {
    entries.get(usize::from(index)).copied().unwrap_or(0)
}

/// ZapfDingbats codes 0x21 to 0x7E follow the Unicode Dingbats block, but for the
/// characters Unicode already had elsewhere.
fn dingbat(code: u8) -> u16 {
    match code {
        0x20 => 0x20,
        0x25 => 0x260E,
        0x2A => 0x261B,
        0x2B => 0x261E,
        0x48 => 0x2605,
        0x6C => 0x25CF,
        0x6E => 0x25A0,
        0x73 => 0x25B2,
        0x74 => 0x25BC,
        0x75 => 0x25C6,
        0x77 => 0x25D7,
        0x21..=0x7E => 0x2700 + u16::from(code) - 0x20,
        _ => 0,
    }
}

/// The Symbol font's Greek letters and bullet; its other codes are read as Latin-1.
fn symbol(code: u8) -> Option<char> {
    const UPPER: &str = "ΑΒΧΔΕΦΓΗΙϑΚΛΜΝΟΠΘΡΣΤΥςΩΞΨΖ";
    const LOWER: &str = "αβχδεφγηιϕκλμνοπθρστυϖωξψζ";
    match code {
        b'A'..=b'Z' => UPPER.chars().nth(usize::from(code - b'A')),
        b'a'..=b'z' => LOWER.chars().nth(usize::from(code - b'a')),
        0xB7 => Some('•'),
        _ => Base::Latin1.char(code),
    }
}

/// The font name without the `ABCDEF+` tag of an embedded subset (9.6.4).
pub(super) fn strip_subset_tag(name: &[u8]) -> &[u8] {
    match name.get(6) {
        Some(b'+') if name.iter().take(6).all(u8::is_ascii_uppercase) => {
            name.get(7..).unwrap_or_default()
        }
        _ => name,
    }
}

/// The text of a glyph name (Adobe Glyph List specification): a suffix after a period
/// is dropped, underscores join the components of a ligature, `uniXXXX` and `uXXXX`
/// name code points, and other names are looked up in the glyph list.
pub(super) fn glyph_name_text(name: &[u8]) -> Unicode {
    let base = name.split(|b| *b == b'.').next().unwrap_or_default();
    let mut text = String::new();
    for component in base.split(|b| *b == b'_') {
        component_text(component, &mut text);
    }
    Unicode::from_text(&text)
}

fn component_text(name: &[u8], out: &mut String) {
    if let [only] = name {
        if only.is_ascii_alphanumeric() {
            out.push(char::from(*only));
        }
        return;
    }
    if let Ok(index) = GLYPH_NAMES.binary_search_by(|(entry, _)| entry.as_bytes().cmp(name)) {
        if let Some(c) = GLYPH_NAMES
            .get(index)
            .and_then(|(_, unit)| char::from_u32(u32::from(*unit)))
        {
            out.push(c);
        }
        return;
    }
    if let Some(hex) = name.strip_prefix(b"uni") {
        // One or more groups of four hex digits.
        if hex.len() % 4 == 0 {
            for group in hex.chunks_exact(4) {
                if let Some(c) = hex_char(group) {
                    out.push(c);
                }
            }
        }
    } else if let Some(hex) = name.strip_prefix(b"u") {
        if (4..=6).contains(&hex.len()) {
            if let Some(c) = hex_char(hex) {
                out.push(c);
            }
        }
    }
}

/// The character whose code point the (uppercase or lowercase) hex digits give.
fn hex_char(digits: &[u8]) -> Option<char> {
    let text = std::str::from_utf8(digits).ok()?;
    if !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    char::from_u32(u32::from_str_radix(text, 16).ok()?).filter(|c| !c.is_control())
}

/// The advance width, in thousandths of an em, of `c` in the standard 14 font named
/// `base_font`, for fonts that omit `/Widths`; accented letters take the width of
/// their base letter.
pub(super) fn standard_width(base_font: &[u8], c: char) -> Option<f32> {
    let name = strip_subset_tag(base_font);
    let contains = |part: &[u8]| name.windows(part.len()).any(|w| w == part);
    if contains(b"Courier") {
        return Some(600.0);
    }
    let widths = if contains(b"Times") {
        &TIMES_WIDTHS
    } else if contains(b"Helvetica") || contains(b"Arial") {
        &HELVETICA_WIDTHS
    } else {
        return None;
    };
    let ascii = match u32::from(c) {
        code @ 0x20..=0x7E => code,
        code @ 0xC0..=0xFF => u32::from(*LATIN1_BASE_LETTERS.get((code - 0xC0) as usize)?),
        _ => return None,
    };
    widths.get((ascii - 0x20) as usize).map(|w| f32::from(*w))
}

/// The letter whose width stands for each of U+00C0 to U+00FF.
const LATIN1_BASE_LETTERS: &[u8; 64] =
    b"AAAAAAMCEEEEIIIIDNOOOOO+OUUUUYPbaaaaaamceeeeiiiionooooo+ouuuuypy";

/// Helvetica's widths for U+0020 to U+007E (Adobe's AFM).
#[rustfmt::skip]
const HELVETICA_WIDTHS: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];

/// Times-Roman's widths for U+0020 to U+007E (Adobe's AFM).
#[rustfmt::skip]
const TIMES_WIDTHS: [u16; 95] = [
    250, 333, 408, 500, 500, 833, 778, 180, 333, 333, 500, 564, 250, 333, 250, 278,
    500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 278, 278, 564, 564, 564, 444,
    921, 722, 667, 667, 722, 611, 556, 722, 722, 333, 389, 722, 611, 889, 722, 722,
    556, 722, 667, 556, 611, 722, 722, 944, 722, 722, 611, 333, 278, 333, 469, 500,
    333, 444, 500, 444, 500, 444, 333, 500, 500, 278, 278, 500, 278, 778, 500, 500,
    500, 500, 333, 389, 278, 500, 500, 722, 500, 500, 444, 480, 200, 480, 541,
];

/// WinAnsiEncoding, codes 0x80 to 0x9F (the rest is Latin-1; ISO 32000-1, D.2).
#[rustfmt::skip]
const WIN_ANSI_80: [u16; 32] = [
    0x20AC, 0x2022, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x2022, 0x017D, 0x2022,
    0x2022, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x2022, 0x017E, 0x0178,
];

/// MacRomanEncoding, codes 0x80 to 0xFF (ISO 32000-1, D.2).
#[rustfmt::skip]
const MAC_ROMAN_80: [u16; 128] = [
    0x00C4, 0x00C5, 0x00C7, 0x00C9, 0x00D1, 0x00D6, 0x00DC, 0x00E1,
    0x00E0, 0x00E2, 0x00E4, 0x00E3, 0x00E5, 0x00E7, 0x00E9, 0x00E8,
    0x00EA, 0x00EB, 0x00ED, 0x00EC, 0x00EE, 0x00EF, 0x00F1, 0x00F3,
    0x00F2, 0x00F4, 0x00F6, 0x00F5, 0x00FA, 0x00F9, 0x00FB, 0x00FC,
    0x2020, 0x00B0, 0x00A2, 0x00A3, 0x00A7, 0x2022, 0x00B6, 0x00DF,
    0x00AE, 0x00A9, 0x2122, 0x00B4, 0x00A8, 0x2260, 0x00C6, 0x00D8,
    0x221E, 0x00B1, 0x2264, 0x2265, 0x00A5, 0x00B5, 0x2202, 0x2211,
    0x220F, 0x03C0, 0x222B, 0x00AA, 0x00BA, 0x2126, 0x00E6, 0x00F8,
    0x00BF, 0x00A1, 0x00AC, 0x221A, 0x0192, 0x2248, 0x2206, 0x00AB,
    0x00BB, 0x2026, 0x0020, 0x00C0, 0x00C3, 0x00D5, 0x0152, 0x0153,
    0x2013, 0x2014, 0x201C, 0x201D, 0x2018, 0x2019, 0x00F7, 0x25CA,
    0x00FF, 0x0178, 0x2044, 0x00A4, 0x2039, 0x203A, 0xFB01, 0xFB02,
    0x2021, 0x00B7, 0x201A, 0x201E, 0x2030, 0x00C2, 0x00CA, 0x00C1,
    0x00CB, 0x00C8, 0x00CD, 0x00CE, 0x00CF, 0x00CC, 0x00D3, 0x00D4,
    0xF8FF, 0x00D2, 0x00DA, 0x00DB, 0x00D9, 0x0131, 0x02C6, 0x02DC,
    0x00AF, 0x02D8, 0x02D9, 0x02DA, 0x00B8, 0x02DD, 0x02DB, 0x02C7,
];

/// StandardEncoding, codes 0x80 to 0xFF (ISO 32000-1, D.2); 0 where undefined.
#[rustfmt::skip]
const STANDARD_80: [u16; 128] = [
    0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000,
    0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000,
    0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000,
    0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000,
    0x0000, 0x00A1, 0x00A2, 0x00A3, 0x2044, 0x00A5, 0x0192, 0x00A7,
    0x00A4, 0x0027, 0x201C, 0x00AB, 0x2039, 0x203A, 0xFB01, 0xFB02,
    0x0000, 0x2013, 0x2020, 0x2021, 0x00B7, 0x0000, 0x00B6, 0x2022,
    0x201A, 0x201E, 0x201D, 0x00BB, 0x2026, 0x2030, 0x0000, 0x00BF,
    0x0000, 0x0060, 0x00B4, 0x02C6, 0x02DC, 0x00AF, 0x02D8, 0x02D9,
    0x00A8, 0x0000, 0x02DA, 0x00B8, 0x0000, 0x02DD, 0x02DB, 0x02C7,
    0x2014, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000,
    0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000,
    0x0000, 0x00C6, 0x0000, 0x00AA, 0x0000, 0x0000, 0x0000, 0x0000,
    0x0141, 0x00D8, 0x0152, 0x00BA, 0x0000, 0x0000, 0x0000, 0x0000,
    0x0000, 0x00E6, 0x0000, 0x0000, 0x0000, 0x0131, 0x0000, 0x0000,
    0x0142, 0x00F8, 0x0153, 0x00DF, 0x0000, 0x0000, 0x0000, 0x0000,
];

/// Glyph names of the Adobe Glyph List that the Latin encodings use, sorted by name.
#[rustfmt::skip]
const GLYPH_NAMES: [(&str, u16); 367] = [
    ("AE", 0x00C6), ("Aacute", 0x00C1), ("Abreve", 0x0102), ("Acircumflex", 0x00C2),
    ("Adieresis", 0x00C4), ("Agrave", 0x00C0), ("Amacron", 0x0100), ("Aogonek", 0x0104),
    ("Aring", 0x00C5), ("Atilde", 0x00C3), ("Cacute", 0x0106), ("Ccaron", 0x010C),
    ("Ccedilla", 0x00C7), ("Ccircumflex", 0x0108), ("Cdot", 0x010A), ("Cdotaccent", 0x010A),
    ("Dbar", 0x0110), ("Dcaron", 0x010E), ("Dcroat", 0x0110), ("Delta", 0x2206),
    ("Dslash", 0x0110), ("Eacute", 0x00C9), ("Ebreve", 0x0114), ("Ecaron", 0x011A),
    ("Ecircumflex", 0x00CA), ("Edieresis", 0x00CB), ("Edot", 0x0116), ("Edotaccent", 0x0116),
    ("Egrave", 0x00C8), ("Emacron", 0x0112), ("Eng", 0x014A), ("Eogonek", 0x0118),
    ("Eth", 0x00D0), ("Euro", 0x20AC), ("Gbreve", 0x011E), ("Gcedilla", 0x0122),
    ("Gcircumflex", 0x011C), ("Gcommaaccent", 0x0122), ("Gdot", 0x0120), ("Gdotaccent", 0x0120),
    ("H18533", 0x25CF), ("H22073", 0x25A1), ("Hbar", 0x0126), ("Hcircumflex", 0x0124),
    ("IJ", 0x0132), ("Iacute", 0x00CD), ("Ibreve", 0x012C), ("Icircumflex", 0x00CE),
    ("Idieresis", 0x00CF), ("Idot", 0x0130), ("Idotaccent", 0x0130), ("Igrave", 0x00CC),
    ("Imacron", 0x012A), ("Iogonek", 0x012E), ("Itilde", 0x0128), ("Jcircumflex", 0x0134),
    ("Kcedilla", 0x0136), ("Kcommaaccent", 0x0136), ("Lacute", 0x0139), ("Lcaron", 0x013D),
    ("Lcedilla", 0x013B), ("Lcommaaccent", 0x013B), ("Ldot", 0x013F), ("Ldotaccent", 0x013F),
    ("Lslash", 0x0141), ("Nacute", 0x0143), ("Ncaron", 0x0147), ("Ncedilla", 0x0145),
    ("Ncommaaccent", 0x0145), ("Ng", 0x014A), ("Ntilde", 0x00D1), ("OE", 0x0152),
    ("Oacute", 0x00D3), ("Obreve", 0x014E), ("Ocircumflex", 0x00D4), ("Odblacute", 0x0150),
    ("Odieresis", 0x00D6), ("Ograve", 0x00D2), ("Ohungarumlaut", 0x0150), ("Omacron", 0x014C),
    ("Omega", 0x2126), ("Oslash", 0x00D8), ("Otilde", 0x00D5), ("Racute", 0x0154),
    ("Rcaron", 0x0158), ("Rcedilla", 0x0156), ("Rcommaaccent", 0x0156), ("Sacute", 0x015A),
    ("Scaron", 0x0160), ("Scedilla", 0x015E), ("Scircumflex", 0x015C), ("Tbar", 0x0166),
    ("Tcaron", 0x0164), ("Tcedilla", 0x0162), ("Tcommaaccent", 0x0162), ("Thorn", 0x00DE),
    ("Uacute", 0x00DA), ("Ubreve", 0x016C), ("Ucircumflex", 0x00DB), ("Udblacute", 0x0170),
    ("Udieresis", 0x00DC), ("Ugrave", 0x00D9), ("Uhungarumlaut", 0x0170), ("Umacron", 0x016A),
    ("Uogonek", 0x0172), ("Uring", 0x016E), ("Utilde", 0x0168), ("Wcircumflex", 0x0174),
    ("Yacute", 0x00DD), ("Ycircumflex", 0x0176), ("Ydieresis", 0x0178), ("Zacute", 0x0179),
    ("Zcaron", 0x017D), ("Zdot", 0x017B), ("Zdotaccent", 0x017B), ("aacute", 0x00E1),
    ("abreve", 0x0103), ("acircumflex", 0x00E2), ("acute", 0x00B4), ("adieresis", 0x00E4),
    ("ae", 0x00E6), ("agrave", 0x00E0), ("amacron", 0x0101), ("ampersand", 0x0026),
    ("aogonek", 0x0105), ("apple", 0xF8FF), ("approxequal", 0x2248), ("aring", 0x00E5),
    ("arrowleft", 0x2190), ("arrowright", 0x2192), ("asciicircum", 0x005E),
    ("asciitilde", 0x007E), ("asterisk", 0x002A), ("at", 0x0040), ("atilde", 0x00E3),
    ("backslash", 0x005C), ("bar", 0x007C), ("blackcircle", 0x25CF), ("blacksquare", 0x25A0),
    ("braceleft", 0x007B), ("braceright", 0x007D), ("bracketleft", 0x005B),
    ("bracketright", 0x005D), ("breve", 0x02D8), ("brokenbar", 0x00A6), ("bullet", 0x2022),
    ("cacute", 0x0107), ("caron", 0x02C7), ("ccaron", 0x010D), ("ccedilla", 0x00E7),
    ("ccircumflex", 0x0109), ("cdot", 0x010B), ("cdotaccent", 0x010B), ("cedilla", 0x00B8),
    ("cent", 0x00A2), ("checkmark", 0x2713), ("circle", 0x25CB), ("circumflex", 0x02C6),
    ("colon", 0x003A), ("comma", 0x002C), ("copyright", 0x00A9), ("currency", 0x00A4),
    ("dagger", 0x2020), ("daggerdbl", 0x2021), ("dbar", 0x0111), ("dcaron", 0x010F),
    ("dcroat", 0x0111), ("degree", 0x00B0), ("dieresis", 0x00A8), ("divide", 0x00F7),
    ("dmacron", 0x0111), ("dollar", 0x0024), ("dotaccent", 0x02D9), ("dotlessi", 0x0131),
    ("eacute", 0x00E9), ("ebreve", 0x0115), ("ecaron", 0x011B), ("ecircumflex", 0x00EA),
    ("edieresis", 0x00EB), ("edot", 0x0117), ("edotaccent", 0x0117), ("egrave", 0x00E8),
    ("eight", 0x0038), ("ellipsis", 0x2026), ("emacron", 0x0113), ("emdash", 0x2014),
    ("endash", 0x2013), ("eng", 0x014B), ("eogonek", 0x0119), ("equal", 0x003D), ("eth", 0x00F0),
    ("euro", 0x20AC), ("exclam", 0x0021), ("exclamdown", 0x00A1), ("ff", 0xFB00), ("ffi", 0xFB03),
    ("ffl", 0xFB04), ("fi", 0xFB01), ("filledbox", 0x25A0), ("five", 0x0035), ("fl", 0xFB02),
    ("florin", 0x0192), ("four", 0x0034), ("fraction", 0x2044), ("gbreve", 0x011F),
    ("gcedilla", 0x0123), ("gcircumflex", 0x011D), ("gcommaaccent", 0x0123), ("gdot", 0x0121),
    ("gdotaccent", 0x0121), ("germandbls", 0x00DF), ("grave", 0x0060), ("greater", 0x003E),
    ("greaterequal", 0x2265), ("guillemotleft", 0x00AB), ("guillemotright", 0x00BB),
    ("guilsinglleft", 0x2039), ("guilsinglright", 0x203A), ("hbar", 0x0127),
    ("hcircumflex", 0x0125), ("hungarumlaut", 0x02DD), ("hyphen", 0x002D), ("hyphentwo", 0x2010),
    ("iacute", 0x00ED), ("ibreve", 0x012D), ("icircumflex", 0x00EE), ("idieresis", 0x00EF),
    ("igrave", 0x00EC), ("ij", 0x0133), ("imacron", 0x012B), ("infinity", 0x221E),
    ("integral", 0x222B), ("iogonek", 0x012F), ("itilde", 0x0129), ("jcircumflex", 0x0135),
    ("kcedilla", 0x0137), ("kcommaaccent", 0x0137), ("kgreenlandic", 0x0138), ("lacute", 0x013A),
    ("lcaron", 0x013E), ("lcedilla", 0x013C), ("lcommaaccent", 0x013C), ("ldot", 0x0140),
    ("ldotaccent", 0x0140), ("less", 0x003C), ("lessequal", 0x2264), ("logicalnot", 0x00AC),
    ("longs", 0x017F), ("lozenge", 0x25CA), ("lslash", 0x0142), ("macron", 0x00AF),
    ("minus", 0x2212), ("mu", 0x00B5), ("multiply", 0x00D7), ("nacute", 0x0144),
    ("napostrophe", 0x0149), ("nbspace", 0x00A0), ("ncaron", 0x0148), ("ncedilla", 0x0146),
    ("ncommaaccent", 0x0146), ("ng", 0x014B), ("nine", 0x0039), ("nonbreakingspace", 0x00A0),
    ("notequal", 0x2260), ("ntilde", 0x00F1), ("numbersign", 0x0023), ("oacute", 0x00F3),
    ("obreve", 0x014F), ("ocircumflex", 0x00F4), ("odblacute", 0x0151), ("odieresis", 0x00F6),
    ("oe", 0x0153), ("ogonek", 0x02DB), ("ograve", 0x00F2), ("ohungarumlaut", 0x0151),
    ("omacron", 0x014D), ("one", 0x0031), ("onehalf", 0x00BD), ("onequarter", 0x00BC),
    ("onesuperior", 0x00B9), ("ordfeminine", 0x00AA), ("ordmasculine", 0x00BA),
    ("oslash", 0x00F8), ("otilde", 0x00F5), ("paragraph", 0x00B6), ("parenleft", 0x0028),
    ("parenright", 0x0029), ("partialdiff", 0x2202), ("percent", 0x0025), ("period", 0x002E),
    ("periodcentered", 0x00B7), ("perthousand", 0x2030), ("pi", 0x03C0), ("plus", 0x002B),
    ("plusminus", 0x00B1), ("product", 0x220F), ("punctdash", 0x2014), ("question", 0x003F),
    ("questiondown", 0x00BF), ("quotedbl", 0x0022), ("quotedblbase", 0x201E),
    ("quotedblleft", 0x201C), ("quotedblright", 0x201D), ("quoteleft", 0x2018),
    ("quoteright", 0x2019), ("quoterightn", 0x0149), ("quotesinglbase", 0x201A),
    ("quotesingle", 0x0027), ("racute", 0x0155), ("radical", 0x221A), ("rangedash", 0x2013),
    ("rcaron", 0x0159), ("rcedilla", 0x0157), ("rcommaaccent", 0x0157), ("registered", 0x00AE),
    ("ring", 0x02DA), ("sacute", 0x015B), ("scaron", 0x0161), ("scedilla", 0x015F),
    ("scircumflex", 0x015D), ("section", 0x00A7), ("semicolon", 0x003B), ("seven", 0x0037),
    ("sfthyphen", 0x00AD), ("six", 0x0036), ("slash", 0x002F), ("slong", 0x017F),
    ("softhyphen", 0x00AD), ("space", 0x0020), ("sterling", 0x00A3), ("summation", 0x2211),
    ("tbar", 0x0167), ("tcaron", 0x0165), ("tcedilla", 0x0163), ("tcommaaccent", 0x0163),
    ("thorn", 0x00FE), ("three", 0x0033), ("threequarters", 0x00BE), ("threesuperior", 0x00B3),
    ("tilde", 0x02DC), ("trademark", 0x2122), ("two", 0x0032), ("twosuperior", 0x00B2),
    ("uacute", 0x00FA), ("ubreve", 0x016D), ("ucircumflex", 0x00FB), ("udblacute", 0x0171),
    ("udieresis", 0x00FC), ("ugrave", 0x00F9), ("uhungarumlaut", 0x0171), ("umacron", 0x016B),
    ("underscore", 0x005F), ("uogonek", 0x0173), ("uring", 0x016F), ("utilde", 0x0169),
    ("wcircumflex", 0x0175), ("whitecircle", 0x25CB), ("whitesquare", 0x25A1), ("yacute", 0x00FD),
    ("ycircumflex", 0x0177), ("ydieresis", 0x00FF), ("yen", 0x00A5), ("zacute", 0x017A),
    ("zcaron", 0x017E), ("zdot", 0x017C), ("zdotaccent", 0x017C), ("zero", 0x0030),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn text(name: &str) -> String {
        let mut out = String::new();
        glyph_name_text(name.as_bytes()).write(&mut out);
        out
    }

    #[test]
    fn glyph_names_follow_the_glyph_list_conventions() {
        assert_eq!(text("eacute"), "é");
        assert_eq!(text("quoteright"), "’");
        assert_eq!(text("uni2612"), "☒");
        assert_eq!(text("uni00660069"), "fi");
        assert_eq!(text("u1F600"), "😀");
        assert_eq!(text("f_f_i"), "ffi");
        assert_eq!(text("a.sc"), "a");
        assert_eq!(text("Zcaron"), "Ž");
        assert_eq!(text(".notdef"), "");
        assert_eq!(text("g123"), "");
        assert!(GLYPH_NAMES.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn base_encodings_differ_where_they_should() {
        assert_eq!(Base::WinAnsi.char(0x92), Some('’'));
        assert_eq!(Base::WinAnsi.char(0xE9), Some('é'));
        assert_eq!(Base::MacRoman.char(0x8E), Some('é'));
        assert_eq!(Base::Standard.char(0x27), Some('’'));
        assert_eq!(Base::Standard.char(0xE9), Some('Ø'));
        assert_eq!(Base::ZapfDingbats.char(b'4'), Some('✔'));
        assert_eq!(Base::Symbol.char(b'a'), Some('α'));
        assert_eq!(Base::Latin1.char(0x07), None);
    }
}
