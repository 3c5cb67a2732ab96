//! A forgiving tokenizer for content streams and CMaps (ISO 32000-1, 7.2 lexical
//! conventions, 7.3 objects, 7.8.2 content streams).
//!
//! lopdf's content parser builds an owned `Object` per operand and stops at the first
//! byte it does not understand; this one borrows keywords from the input, writes the
//! decoded bytes of strings and names into a caller-owned arena, and skips what it does
//! not understand, so a damaged stream still yields the text around the damage.

/// Where a decoded string or name sits in the arena.
pub(super) type Span = (usize, usize);

/// One token.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Token<'a> {
    /// An integer or real number (7.3.3).
    Number(f64),
    /// A name without its slash, `#xx` escapes decoded (7.3.5).
    Name(Span),
    /// A literal or hexadecimal string, decoded (7.3.4).
    String(Span),
    /// `[`
    ArrayOpen,
    /// `]`
    ArrayClose,
    /// `<<`
    DictOpen,
    /// `>>`
    DictClose,
    /// Any other run of regular characters: an operator, `true`, `false`, `null`.
    Keyword(&'a [u8]),
}

/// Nesting bound for parentheses inside a literal string.
const MAX_PAREN_DEPTH: usize = 256;

/// The tokenizer over one stream.
pub(super) struct Lexer<'a> {
    data: &'a [u8],
    pos: usize,
}

/// The lexical classes of bytes (Tables 1 and 2).
const REGULAR: u8 = 0;
const WHITE: u8 = 1;
const DELIMITER: u8 = 2;

#[inline(always)]
fn class(byte: u8) -> u8 {
    match byte {
        0 | 9 | 10 | 12 | 13 | 32 => WHITE,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%' => DELIMITER,
        _ => REGULAR,
    }
}

fn is_white(byte: u8) -> bool {
    class(byte) == WHITE
}

fn is_regular(byte: u8) -> bool {
    class(byte) == REGULAR
}

#[inline(always)]
fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

impl<'a> Lexer<'a> {
    /// A tokenizer at the start of `data`.
    pub(super) fn new(data: &'a [u8]) -> Self {
        Lexer { data, pos: 0 }
    }

    fn peek(&self) -> Option<u8> {
        self.data.get(self.pos).copied()
    }

    fn peek_at(&self, offset: usize) -> Option<u8> {
        self.data.get(self.pos.saturating_add(offset)).copied()
    }

    /// The next token, decoding strings and names into `arena`; `None` at the end.
    #[inline(always)]
    pub(super) fn next_token(&mut self, arena: &mut Vec<u8>) -> Option<Token<'a>> {
        loop {
            let byte = self.peek()?;
            match class(byte) {
                WHITE => {
                    self.pos += 1;
                    continue;
                }
                REGULAR => return Some(self.regular()),
                _ => self.pos += 1,
            }
            match byte {
                b'<' if self.peek() == Some(b'<') => {
                    self.pos += 1;
                    return Some(Token::DictOpen);
                }
                b'<' => return Some(Token::String(self.hex_string(arena))),
                b'(' => return Some(Token::String(self.literal_string(arena))),
                b'/' => return Some(Token::Name(self.name(arena))),
                b'[' => return Some(Token::ArrayOpen),
                b']' => return Some(Token::ArrayClose),
                b'>' if self.peek() == Some(b'>') => {
                    self.pos += 1;
                    return Some(Token::DictClose);
                }
                b'%' => self.skip_comment(),
                // Stray delimiters and PostScript braces carry no text: skip them.
                _ => {}
            }
        }
    }

    fn skip_comment(&mut self) {
        while let Some(byte) = self.peek() {
            if byte == b'\n' || byte == b'\r' {
                break;
            }
            self.pos += 1;
        }
    }

    /// A run of regular characters: a number when it reads as one, else a keyword.
    #[inline(always)]
    fn regular(&mut self) -> Token<'a> {
        if let Some(number) = self.plain_number() {
            return Token::Number(number);
        }
        let rest = self.data.get(self.pos..).unwrap_or_default();
        let len = rest
            .iter()
            .position(|b| !is_regular(*b))
            .unwrap_or(rest.len());
        self.pos += len;
        let word = rest.get(..len).unwrap_or_default();
        if let Some(number) = parse_number(word) {
            return Token::Number(number);
        }
        if word == b"ID" {
            self.skip_inline_image();
        }
        Token::Keyword(word)
    }

    /// The common number, `-12.5`: an optional minus, up to 18 digits with at most one
    /// point, read in one pass; `None` (and nothing consumed) for anything else.
    #[inline]
    fn plain_number(&mut self) -> Option<f64> {
        let data = self.data;
        let mut pos = self.pos;
        let negative = data.get(pos) == Some(&b'-');
        if negative {
            pos += 1;
        }
        let mut mantissa = 0u64;
        let mut digits = 0usize;
        let mut point = None;
        while let Some(&byte) = data.get(pos) {
            match byte {
                b'0'..=b'9' => {
                    mantissa = mantissa
                        .wrapping_mul(10)
                        .wrapping_add(u64::from(byte - b'0'));
                    digits += 1;
                }
                b'.' if point.is_none() => point = Some(digits),
                _ if is_regular(byte) => return None,
                _ => break,
            }
            pos += 1;
        }
        if digits == 0 || digits > 18 {
            return None;
        }
        let scale = POWERS_OF_TEN.get(digits - point.unwrap_or(digits))?;
        self.pos = pos;
        let value = mantissa as f64 / scale;
        Some(if negative { -value } else { value })
    }

    /// Skips the data of an inline image (8.9.7) up to, not including, its `EI`.
    fn skip_inline_image(&mut self) {
        // One white-space byte separates ID from the data.
        self.pos = self.pos.saturating_add(1);
        let rest = self.data.get(self.pos..).unwrap_or_default();
        let mut index = 0;
        while let Some(window) = rest.get(index..index + 3) {
            if let [before, b'E', b'I'] = window {
                let after = rest.get(index + 3).copied();
                if is_white(*before) && after.is_none_or(is_white) {
                    self.pos += index + 1;
                    return;
                }
            }
            index += 1;
        }
        self.pos = self.data.len();
    }

    /// A name after its slash; `#xx` is the byte xx (7.3.5).
    fn name(&mut self, arena: &mut Vec<u8>) -> Span {
        let start = arena.len();
        while let Some(byte) = self.peek().filter(|b| is_regular(*b)) {
            self.pos += 1;
            if byte == b'#' {
                let high = self.peek().and_then(hex_value);
                let low = self.peek_at(1).and_then(hex_value);
                if let (Some(high), Some(low)) = (high, low) {
                    self.pos += 2;
                    arena.push(high << 4 | low);
                    continue;
                }
            }
            arena.push(byte);
        }
        (start, arena.len())
    }

    /// A literal string after its opening parenthesis, escapes decoded (7.3.4.2).
    fn literal_string(&mut self, arena: &mut Vec<u8>) -> Span {
        let start = arena.len();
        let mut depth = 0usize;
        while let Some(byte) = self.peek() {
            self.pos += 1;
            match byte {
                b'(' => {
                    depth = (depth + 1).min(MAX_PAREN_DEPTH);
                    arena.push(byte);
                }
                b')' if depth == 0 => break,
                b')' => {
                    depth -= 1;
                    arena.push(byte);
                }
                b'\\' => self.escape(arena),
                // An end-of-line in a string is one line feed, whatever its bytes.
                b'\r' => {
                    if self.peek() == Some(b'\n') {
                        self.pos += 1;
                    }
                    arena.push(b'\n');
                }
                _ => arena.push(byte),
            }
        }
        (start, arena.len())
    }

    /// The character after a backslash in a literal string (Table 3).
    fn escape(&mut self, arena: &mut Vec<u8>) {
        let Some(byte) = self.peek() else { return };
        self.pos += 1;
        match byte {
            b'n' => arena.push(b'\n'),
            b'r' => arena.push(b'\r'),
            b't' => arena.push(b'\t'),
            b'b' => arena.push(8),
            b'f' => arena.push(12),
            b'0'..=b'7' => {
                let mut value = u32::from(byte - b'0');
                for _ in 0..2 {
                    match self.peek() {
                        Some(digit @ b'0'..=b'7') => {
                            self.pos += 1;
                            value = value * 8 + u32::from(digit - b'0');
                        }
                        _ => break,
                    }
                }
                arena.push((value & 0xFF) as u8);
            }
            // A backslash before an end-of-line continues the string on the next line.
            b'\r' => {
                if self.peek() == Some(b'\n') {
                    self.pos += 1;
                }
            }
            b'\n' => {}
            other => arena.push(other),
        }
    }

    /// A hexadecimal string after its `<` (7.3.4.3): white space ignored, an odd last
    /// digit completed with 0.
    #[inline(always)]
    fn hex_string(&mut self, arena: &mut Vec<u8>) -> Span {
        let start = arena.len();
        let rest = self.data.get(self.pos..).unwrap_or_default();
        // The common case, one byte as `<0A>`.
        if let Some(&[high, low, b'>']) = rest.get(..3) {
            if let (Some(high), Some(low)) = (hex_value(high), hex_value(low)) {
                arena.push(high << 4 | low);
                self.pos += 3;
                return (start, start + 1);
            }
        }
        let len = rest.iter().position(|b| *b == b'>');
        self.pos += len.map_or(rest.len(), |len| len + 1);
        let digits = rest.get(..len.unwrap_or(rest.len())).unwrap_or_default();
        let mut high: Option<u8> = None;
        for value in digits.iter().filter_map(|b| hex_value(*b)) {
            match high.take() {
                Some(h) => arena.push(h << 4 | value),
                None => high = Some(value),
            }
        }
        if let Some(h) = high {
            arena.push(h << 4);
        }
        (start, arena.len())
    }
}

/// Powers of ten for [`Lexer::plain_number`].
const POWERS_OF_TEN: [f64; 19] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18,
];

/// Reads `word` as a number (7.3.3), leniently: `--5`, `5.` and `.5` are numbers, and
/// trailing junk after the digits is ignored. `None` if it does not start like one.
fn parse_number(word: &[u8]) -> Option<f64> {
    let first = *word.first()?;
    if !(first.is_ascii_digit() || matches!(first, b'+' | b'-' | b'.')) {
        return None;
    }
    parse_number_slowly(word)
}

/// The body of [`parse_number`].
fn parse_number_slowly(word: &[u8]) -> Option<f64> {
    let mut negative = false;
    let mut rest = word;
    while let Some((&sign, tail)) = rest.split_first() {
        match sign {
            b'-' => negative = !negative,
            b'+' => {}
            _ => break,
        }
        rest = tail;
    }
    let mut value = 0.0f64;
    let mut digits = 0usize;
    // The weight of the next fractional digit, once the decimal point is seen.
    let mut fraction: Option<f64> = None;
    for &byte in rest {
        match (byte, fraction) {
            (b'0'..=b'9', None) => value = value * 10.0 + f64::from(byte - b'0'),
            (b'0'..=b'9', Some(weight)) => {
                value += f64::from(byte - b'0') * weight;
                fraction = Some(weight / 10.0);
            }
            (b'.', None) => fraction = Some(0.1),
            _ => break,
        }
        if byte.is_ascii_digit() {
            digits += 1;
        }
    }
    if digits == 0 && !matches!(rest, [] | [b'.']) {
        // A word like `-foo` is not a number.
        return None;
    }
    Some(if negative { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(input: &[u8]) -> (Vec<Token<'_>>, Vec<u8>) {
        let mut arena = Vec::new();
        let mut lexer = Lexer::new(input);
        let mut out = Vec::new();
        while let Some(token) = lexer.next_token(&mut arena) {
            out.push(token);
        }
        (out, arena)
    }

    #[test]
    fn numbers_names_strings_and_operators() {
        let (tokens, arena) = tokens(b"12 -3.5 .5 /F#201 (a\\(b\\)\\101\\\nc) <41 42 4> [1] Tf");
        assert_eq!(tokens[0], Token::Number(12.0));
        assert_eq!(tokens[1], Token::Number(-3.5));
        assert_eq!(tokens[2], Token::Number(0.5));
        let Token::Name((s, e)) = tokens[3] else {
            panic!("name expected")
        };
        assert_eq!(&arena[s..e], b"F 1");
        let Token::String((s, e)) = tokens[4] else {
            panic!("string expected")
        };
        assert_eq!(&arena[s..e], b"a(b)Ac");
        let Token::String((s, e)) = tokens[5] else {
            panic!("string expected")
        };
        assert_eq!(&arena[s..e], b"AB@");
        assert_eq!(tokens[6], Token::ArrayOpen);
        assert_eq!(tokens[8], Token::ArrayClose);
        assert_eq!(tokens[9], Token::Keyword(b"Tf"));
    }

    #[test]
    fn inline_image_data_is_skipped() {
        let (tokens, _) = tokens(b"BI /W 1 ID \x00) EI( garbage\nEI Q");
        let keywords: Vec<_> = tokens
            .iter()
            .filter_map(|t| match t {
                Token::Keyword(k) => Some(*k),
                _ => None,
            })
            .collect();
        assert_eq!(keywords, vec![&b"BI"[..], b"ID", b"EI", b"Q"]);
    }

    #[test]
    fn random_bytes_end_in_finitely_many_tokens() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..200 {
            let data: Vec<u8> = (0..500)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    // Mostly delimiters, digits and letters, so that every path is taken.
                    b"()<>[]{}/%\\ \n0123456789.-+abcdefTJIDEI#"[(seed % 39) as usize]
                })
                .collect();
            let (tokens, _) = tokens(&data);
            assert!(tokens.len() <= data.len());
        }
    }

    #[test]
    fn odd_words_are_keywords_not_numbers() {
        assert_eq!(parse_number(b"--5"), Some(5.0));
        assert_eq!(parse_number(b"-"), Some(0.0));
        assert_eq!(parse_number(b"-foo"), None);
        assert_eq!(parse_number(b"T*"), None);
    }
}
