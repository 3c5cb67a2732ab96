//! The content stream interpreter: runs a page's operators with the graphics state
//! that places text, and records every glyph at its position on the page.
//!
//! Coordinates: text space → user space by the text matrix, user space → device space
//! by the CTM (ISO 32000-1, 8.3 and 9.4.4). The device space here is the page as shown:
//! points, origin at the top left of the crop box, y going down, page rotation applied.

use std::collections::HashMap;
use std::rc::Rc;

use lopdf::{Dictionary, Document, Object, ObjectId, Stream};

use super::cmap::Unicode;
use super::font::{Font, Shown, SimpleGlyph};
use super::lexer::{Lexer, Token};
use super::{array, dict, name, resolve, stream_bytes, Budget, TextError};

/// An affine transformation `[a b c d e f]` (8.3.3): `x' = a·x + c·y + e`,
/// `y' = b·x + d·y + f`.
pub(super) type Matrix = [f64; 6];

const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

/// Nesting bound for Form XObjects (and annotation appearances) inside each other.
const MAX_FORM_DEPTH: usize = 12;
/// Bound on the graphics state stack (`q` without `Q`).
const MAX_STATE_DEPTH: usize = 256;
/// Bound on the operands waiting for an operator.
const MAX_OPERANDS: usize = 65_536;
/// Bound on the (resources, name) pairs remembered for `Tf`.
const MAX_NAMED_FONTS: usize = 64;
/// What loading a font costs besides its streams (its code tables take about as long
/// as interpreting this many bytes), so that thousands of fonts use up the budget.
const FONT_COST: usize = 4096;
/// What running a content stream costs at least, so that empty Form XObjects invoked
/// over and over still use up the content budget.
const MIN_RUN_COST: usize = 64;

/// Smallest image or stroke taken for a signature, in points: a signature is at least
/// this wide and this high. Smaller ones are ticks, bullets, rules.
const MIN_MARK_WIDTH: f64 = 18.0;
const MIN_MARK_HEIGHT: f64 = 5.0;
/// Fewest slanted segments or curves in a stroke drawn by hand.
const MIN_MARK_SEGMENTS: usize = 6;
/// The size given to a mark's placeholder glyph: that of body text, so that it joins
/// the line of its label.
const MARK_SIZE: f64 = 10.0;

/// `m1 × m2`: apply `m1`, then `m2`.
pub(super) fn multiply(m1: &Matrix, m2: &Matrix) -> Matrix {
    let [a1, b1, c1, d1, e1, f1] = *m1;
    let [a2, b2, c2, d2, e2, f2] = *m2;
    [
        a1 * a2 + b1 * c2,
        a1 * b2 + b1 * d2,
        c1 * a2 + d1 * c2,
        c1 * b2 + d1 * d2,
        e1 * a2 + f1 * c2 + e2,
        e1 * b2 + f1 * d2 + f2,
    ]
}

fn apply(m: &Matrix, x: f64, y: f64) -> (f64, f64) {
    let [a, b, c, d, e, f] = *m;
    (a * x + c * y + e, b * x + d * y + f)
}

/// `[1 0 0 1 tx ty] × m`: `m` moved by (tx, ty) in its own space.
fn translate(m: &mut Matrix, tx: f64, ty: f64) {
    m[4] += tx * m[0] + ty * m[2];
    m[5] += tx * m[1] + ty * m[3];
}

/// One glyph on the page.
#[derive(Debug, Clone, Copy)]
pub(super) struct Glyph {
    /// Device x of the glyph origin.
    pub x: f32,
    /// Device x where the glyph's advance ends.
    pub end: f32,
    /// Device y of the baseline (down from the top of the page).
    pub y: f32,
    /// Font size in device space.
    pub size: f32,
    /// The glyph's text; nothing for a space.
    pub text: GlyphText,
    /// The glyph is white space: it separates words and is not printed itself.
    pub space: bool,
}

/// The text of a glyph: one character inline, as most are, or a byte range of
/// [`PageGlyphs::text`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum GlyphText {
    Char(char),
    Span(u32, u32),
}

/// The glyphs of one page.
#[derive(Debug, Default)]
pub(super) struct PageGlyphs {
    pub glyphs: Vec<Glyph>,
    /// The text of all glyphs, back to back.
    pub text: String,
    pub width: f32,
    pub height: f32,
}

impl PageGlyphs {
    /// An empty page of the given device size, with room for the glyphs of about
    /// `content_len` bytes of content.
    pub(super) fn new(width: f32, height: f32, content_len: usize) -> Self {
        // LibreOffice spends about six bytes of content per glyph.
        let expected = (content_len / 5).min(1 << 16);
        PageGlyphs {
            glyphs: Vec::with_capacity(expected),
            text: String::with_capacity(expected),
            width,
            height,
        }
    }

    /// The text of `glyph`, using `buffer` for a single character.
    pub(super) fn text_of<'a>(&'a self, glyph: &Glyph, buffer: &'a mut [u8; 4]) -> &'a str {
        match glyph.text {
            GlyphText::Char(c) => c.encode_utf8(buffer),
            GlyphText::Span(start, end) => self
                .text
                .get(start as usize..end as usize)
                .unwrap_or_default(),
        }
    }

    /// The first character of the text of `glyph`.
    pub(super) fn first_char(&self, glyph: &Glyph) -> Option<char> {
        let mut buffer = [0; 4];
        self.text_of(glyph, &mut buffer).chars().next()
    }

    /// Whether a glyph at x from `x` to `end`, baseline `y`, size `size` shows on the
    /// page; off-page and absurd glyphs are dropped, as poppler does.
    fn shows(&self, x: f32, end: f32, y: f32, size: f32) -> bool {
        // Written so that NaN, which fails every comparison, never shows.
        let (left, right) = if x <= end { (x, end) } else { (end, x) };
        right >= 0.0
            && left <= self.width
            && y >= 0.0
            && y - size <= self.height
            && size > 0.0
            && (size <= self.width || size <= self.height)
    }

    /// Adds a glyph from `x` to `end` on baseline `y` whose text `write` appends, if it
    /// shows and has text.
    #[inline]
    fn push(
        &mut self,
        x: f64,
        end: f64,
        y: f64,
        size: f64,
        write: impl FnOnce(&mut String) -> Shown,
    ) {
        let (x, end, y, size) = (x as f32, end as f32, y as f32, size as f32);
        if !self.shows(x, end, y, size) {
            return;
        }
        let start = self.text.len();
        let space = match write(&mut self.text) {
            Shown::Nothing => return,
            Shown::Space => true,
            Shown::Text => false,
        };
        let written = self.text.get(start..).unwrap_or_default();
        let mut chars = written.chars();
        let text = match (chars.next(), chars.next()) {
            (Some(c), None) => {
                self.text.truncate(start);
                GlyphText::Char(c)
            }
            _ => match (u32::try_from(start), u32::try_from(self.text.len())) {
                (Ok(from), Ok(to)) => GlyphText::Span(from, to),
                _ => return,
            },
        };
        self.glyphs.push(Glyph {
            x,
            end,
            y,
            size,
            text,
            space,
        });
    }

    /// Records an image or a hand-drawn stroke as [`super::MARK`], at its bottom left,
    /// where a signature sits on the line of its label.
    fn push_mark(&mut self, bounds: Bounds) {
        self.push(
            bounds.left,
            bounds.left + MARK_SIZE,
            bounds.bottom,
            MARK_SIZE,
            |out| {
                out.push(super::MARK);
                Shown::Text
            },
        );
    }

    /// [`PageGlyphs::push`] for a glyph whose text is known: a simple font's.
    #[inline(always)]
    fn push_known(&mut self, x: f64, end: f64, y: f64, size: f64, glyph: &SimpleGlyph) {
        match (&glyph.text, glyph.shown) {
            (_, Shown::Nothing) => {}
            (Unicode::One(c), Shown::Text) => {
                let (x, end, y, size) = (x as f32, end as f32, y as f32, size as f32);
                if self.shows(x, end, y, size) {
                    self.glyphs.push(Glyph {
                        x,
                        end,
                        y,
                        size,
                        text: GlyphText::Char(*c),
                        space: false,
                    });
                }
            }
            (text, shown) => self.push(x, end, y, size, |out| {
                text.write(out);
                shown
            }),
        }
    }
}

/// The box of a mark in device space.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Bounds {
    left: f64,
    top: f64,
    right: f64,
    bottom: f64,
}

impl Bounds {
    /// Large enough to be a signature, small enough not to be a page (a scan, a
    /// background).
    fn is_signature_sized(&self, page: &PageGlyphs) -> bool {
        let (width, height) = (self.right - self.left, self.bottom - self.top);
        width >= MIN_MARK_WIDTH
            && height >= MIN_MARK_HEIGHT
            && width * height <= 0.25 * f64::from(page.width) * f64::from(page.height)
    }
}

/// The path being built, as much as a mark needs: its box and how it was drawn.
#[derive(Debug, Default)]
struct Path {
    bounds: Option<Bounds>,
    /// Segments that are neither horizontal nor vertical (curves included).
    slanted: usize,
    curves: usize,
    last: Option<(f64, f64)>,
}

impl Path {
    /// Extends the path to (x, y), by a segment when `segment` (else a new start).
    fn add(&mut self, x: f64, y: f64, segment: bool) {
        if !(x.is_finite() && y.is_finite()) {
            return;
        }
        if let (true, Some((x0, y0))) = (segment, self.last) {
            if (x - x0).abs() > 0.5 && (y - y0).abs() > 0.5 {
                self.slanted += 1;
            }
        }
        self.last = Some((x, y));
        self.bounds = Some(match self.bounds {
            None => Bounds {
                left: x,
                top: y,
                right: x,
                bottom: y,
            },
            Some(b) => Bounds {
                left: b.left.min(x),
                top: b.top.min(y),
                right: b.right.max(x),
                bottom: b.bottom.max(y),
            },
        });
    }

    fn bounds(&self) -> Option<Bounds> {
        self.bounds
    }

    /// The box of a stroke that looks drawn by hand: many slanted segments or curves
    /// over a signature-sized area. Table rules, boxes and ticks are not.
    fn hand_drawn(&self) -> Option<Bounds> {
        let bounds = self.bounds?;
        let (width, height) = (bounds.right - bounds.left, bounds.bottom - bounds.top);
        (self.slanted + self.curves >= MIN_MARK_SEGMENTS
            && width >= MIN_MARK_WIDTH
            && height >= MIN_MARK_HEIGHT)
            .then_some(bounds)
    }
}

/// The graphics state parameters that place text (8.4.1 and 9.3.1).
#[derive(Debug, Clone)]
struct GraphicsState {
    ctm: Matrix,
    font: Option<Rc<Font>>,
    size: f64,
    char_spacing: f64,
    word_spacing: f64,
    /// Horizontal scaling as a factor (`Tz` / 100).
    scale: f64,
    leading: f64,
    rise: f64,
}

impl GraphicsState {
    fn new(ctm: Matrix) -> Self {
        GraphicsState {
            ctm,
            font: None,
            size: 0.0,
            char_spacing: 0.0,
            word_spacing: 0.0,
            scale: 1.0,
            leading: 0.0,
            rise: 0.0,
        }
    }
}

/// The text matrix and text line matrix of the current text object (9.4.2).
#[derive(Debug, Clone, Copy)]
struct TextMatrices {
    matrix: Matrix,
    line: Matrix,
}

impl TextMatrices {
    fn reset(&mut self) {
        self.matrix = IDENTITY;
        self.line = IDENTITY;
    }

    /// `Td` (9.4.2): start a new line offset from the start of the current one.
    fn next_line(&mut self, tx: f64, ty: f64) {
        translate(&mut self.line, tx, ty);
        self.matrix = self.line;
    }
}

/// How a font resource is known, for the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum FontKey {
    Object(ObjectId),
    /// A font dictionary written directly in a resource dictionary, by its address
    /// (stable while the document is borrowed).
    Direct(usize),
}

/// Runs content streams of one document, caching fonts and Form XObject contents.
pub(super) struct Interpreter<'d> {
    document: &'d Document,
    pub(super) budget: Budget,
    fonts: HashMap<FontKey, Rc<Font>>,
    /// The fonts last selected by name, by resource dictionary (its address): `Tf` is
    /// in every text object, and a few names cover a document.
    by_name: Vec<(usize, Vec<u8>, Option<Rc<Font>>)>,
    forms: HashMap<ObjectId, Rc<Vec<u8>>>,
    /// The Form XObjects being run, innermost last: one that shows up again is a cycle.
    active: Vec<ObjectId>,
}

/// The state of one run over one content stream.
struct Run<'d> {
    resources: Option<&'d Dictionary>,
    state: GraphicsState,
    stack: Vec<GraphicsState>,
    text: TextMatrices,
    depth: usize,
    path: Path,
}

impl<'d> Run<'d> {
    /// A run at the top of a page (depth 0, fresh graphics and text state) under `ctm`.
    fn top_level(resources: Option<&'d Dictionary>, ctm: Matrix) -> Self {
        Run {
            resources,
            state: GraphicsState::new(ctm),
            stack: Vec::new(),
            text: TextMatrices {
                matrix: IDENTITY,
                line: IDENTITY,
            },
            depth: 0,
            path: Path::default(),
        }
    }
}

impl<'d> Interpreter<'d> {
    /// An interpreter for `document` within `budget`.
    pub(super) fn new(document: &'d Document, budget: Budget) -> Self {
        Interpreter {
            document,
            budget,
            fonts: HashMap::new(),
            by_name: Vec::new(),
            forms: HashMap::new(),
            active: Vec::new(),
        }
    }

    /// Runs a page's content stream with the initial CTM `ctm`.
    pub(super) fn run_page(
        &mut self,
        content: &[u8],
        resources: Option<&'d Dictionary>,
        ctm: Matrix,
        page: &mut PageGlyphs,
    ) -> Result<(), TextError> {
        let mut run = Run::top_level(resources, ctm);
        self.run(content, &mut run, page)
    }

    /// Interprets `content`: operands are collected until their operator (7.8.2).
    fn run(
        &mut self,
        content: &[u8],
        run: &mut Run<'d>,
        page: &mut PageGlyphs,
    ) -> Result<(), TextError> {
        let mut lexer = Lexer::new(content);
        let mut operands: Vec<Token> = Vec::new();
        let mut arena: Vec<u8> = Vec::new();
        while let Some(token) = lexer.next_token(&mut arena) {
            let Token::Keyword(operator) = token else {
                if operands.len() >= MAX_OPERANDS {
                    operands.clear();
                    arena.clear();
                }
                operands.push(token);
                continue;
            };
            self.operator(operator, &operands, &arena, run, page)?;
            operands.clear();
            arena.clear();
        }
        Ok(())
    }

    fn operator(
        &mut self,
        operator: &[u8],
        operands: &[Token],
        arena: &[u8],
        run: &mut Run<'d>,
        page: &mut PageGlyphs,
    ) -> Result<(), TextError> {
        let state = &mut run.state;
        match operator {
            // Special graphics state (8.4.4); a `q` past the bound is ignored.
            b"q" if run.stack.len() < MAX_STATE_DEPTH => run.stack.push(state.clone()),
            b"Q" => {
                if let Some(saved) = run.stack.pop() {
                    *state = saved;
                }
            }
            b"cm" => {
                if let Some(m) = numbers::<6>(operands) {
                    state.ctm = multiply(&m, &state.ctm);
                }
            }
            // Text objects (9.4.1).
            b"BT" => run.text.reset(),
            // Text state (9.3).
            b"Tc" => set(&mut state.char_spacing, operands),
            b"Tw" => set(&mut state.word_spacing, operands),
            b"TL" => set(&mut state.leading, operands),
            b"Ts" => set(&mut state.rise, operands),
            b"Tz" => {
                if let Some([scale]) = numbers::<1>(operands) {
                    state.scale = scale / 100.0;
                }
            }
            b"Tf" => {
                if let Some([size]) = numbers::<1>(operands) {
                    state.size = size;
                }
                let font = last_name(operands, arena)
                    .map(|name| self.font(run.resources, name))
                    .transpose()?
                    .flatten();
                run.state.font = font;
            }
            // Text positioning (9.4.2).
            b"Td" => {
                if let Some([tx, ty]) = numbers::<2>(operands) {
                    run.text.next_line(tx, ty);
                }
            }
            b"TD" => {
                if let Some([tx, ty]) = numbers::<2>(operands) {
                    state.leading = -ty;
                    run.text.next_line(tx, ty);
                }
            }
            b"Tm" => {
                if let Some(m) = numbers::<6>(operands) {
                    run.text.matrix = m;
                    run.text.line = m;
                }
            }
            b"T*" => run.text.next_line(0.0, -state.leading),
            // Text showing (9.4.3).
            b"Tj" => self.show(last_string(operands, arena), run, page)?,
            b"'" => {
                run.text.next_line(0.0, -state.leading);
                self.show(last_string(operands, arena), run, page)?;
            }
            b"\"" => {
                if let [.., Token::Number(word), Token::Number(char), Token::String(_)] = operands {
                    state.word_spacing = *word;
                    state.char_spacing = *char;
                }
                run.text.next_line(0.0, -run.state.leading);
                self.show(last_string(operands, arena), run, page)?;
            }
            b"TJ" => self.show_array(operands, arena, run, page)?,
            // Path construction (8.5.2), in device space as the CTM maps it now.
            b"m" | b"l" => {
                if let Some([x, y]) = numbers::<2>(operands) {
                    let (x, y) = apply(&state.ctm, x, y);
                    run.path.add(x, y, operator == b"l");
                }
            }
            b"c" | b"v" | b"y" => {
                if let Some([x, y]) = numbers::<2>(operands) {
                    let (x, y) = apply(&state.ctm, x, y);
                    run.path.add(x, y, true);
                    run.path.curves += 1;
                }
            }
            b"re" => {
                if let Some([x, y, w, h]) = numbers::<4>(operands) {
                    let (x0, y0) = apply(&state.ctm, x, y);
                    let (x1, y1) = apply(&state.ctm, x + w, y + h);
                    run.path.add(x0, y0, false);
                    run.path.add(x1, y1, false);
                }
            }
            // Path painting (8.5.3): a stroke that looks drawn by hand is a mark.
            b"S" | b"s" | b"B" | b"B*" | b"b" | b"b*" => {
                if let Some(bounds) = run.path.hand_drawn() {
                    page.push_mark(bounds);
                }
                run.path = Path::default();
            }
            b"f" | b"F" | b"f*" | b"n" => run.path = Path::default(),
            // External objects (8.8).
            b"Do" => {
                if let Some(name) = last_name(operands, arena) {
                    self.xobject(name, run, page)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// The font that the resource `name` names, loaded once per document.
    fn font(
        &mut self,
        resources: Option<&'d Dictionary>,
        name: &[u8],
    ) -> Result<Option<Rc<Font>>, TextError> {
        let address = resources.map_or(0, |r| r as *const Dictionary as usize);
        let known = self
            .by_name
            .iter()
            .find(|(at, known, _)| *at == address && known == name);
        if let Some((_, _, font)) = known {
            return Ok(font.clone());
        }
        let font = self.load_font(resources, name)?;
        if self.by_name.len() < MAX_NAMED_FONTS {
            self.by_name.push((address, name.to_vec(), font.clone()));
        }
        Ok(font)
    }

    /// [`Interpreter::font`] without the cache by name.
    fn load_font(
        &mut self,
        resources: Option<&'d Dictionary>,
        name: &[u8],
    ) -> Result<Option<Rc<Font>>, TextError> {
        let document = self.document;
        let Some(entry) = resources
            .and_then(|r| dict(document, r, b"Font"))
            .and_then(|fonts| fonts.get(name).ok())
        else {
            return Ok(None);
        };
        let (key, font) = match entry {
            Object::Reference(id) => match document.get_dictionary(*id) {
                Ok(font) => (FontKey::Object(*id), font),
                Err(_) => return Ok(None),
            },
            Object::Dictionary(font) => (FontKey::Direct(font as *const Dictionary as usize), font),
            _ => return Ok(None),
        };
        if let Some(font) = self.fonts.get(&key) {
            return Ok(Some(Rc::clone(font)));
        }
        self.budget.charge_content(FONT_COST)?;
        let font = Rc::new(Font::load(document, font, &mut self.budget)?);
        self.fonts.insert(key, Rc::clone(&font));
        Ok(Some(font))
    }

    /// `Tj`: shows `bytes` with the current font and advances the text matrix (9.4.4).
    fn show(
        &mut self,
        bytes: &[u8],
        run: &mut Run<'d>,
        page: &mut PageGlyphs,
    ) -> Result<(), TextError> {
        let Some(font) = run.state.font.as_deref() else {
            return Ok(());
        };
        let mut pen = Pen::new(run);
        self.show_codes(font, bytes, &mut pen, page)?;
        let advance = pen.advance;
        translate(&mut run.text.matrix, advance, 0.0);
        Ok(())
    }

    /// `TJ`: strings shown in turn, numbers moving the next one back by thousandths of
    /// the font size (9.4.3).
    fn show_array(
        &mut self,
        operands: &[Token],
        arena: &[u8],
        run: &mut Run<'d>,
        page: &mut PageGlyphs,
    ) -> Result<(), TextError> {
        let Some(font) = run.state.font.as_deref() else {
            return Ok(());
        };
        let start = operands
            .iter()
            .rposition(|t| *t == Token::ArrayOpen)
            .map_or(0, |i| i + 1);
        let items = operands.get(start..).unwrap_or_default();
        let mut pen = Pen::new(run);
        let string = |token: &Token| match token {
            Token::String((from, to)) => arena.get(*from..*to),
            _ => None,
        };
        if let Some(glyphs) = font.simple_glyphs() {
            // One byte, one glyph: the whole array is charged at once.
            self.budget
                .charge_glyphs(items.iter().filter_map(string).map(<[u8]>::len).sum())?;
            for token in items {
                if let Token::Number(adjust) = token {
                    pen.advance -= adjust / 1000.0 * pen.size * pen.scale;
                }
                for &byte in string(token).unwrap_or_default() {
                    if let Some(glyph) = glyphs.get(usize::from(byte)) {
                        pen.place(page, glyph.width, byte == 32, |page, x, end, y, size| {
                            page.push_known(x, end, y, size, glyph);
                        });
                    }
                }
            }
        } else {
            for token in items {
                match token {
                    Token::String((from, to)) => {
                        let bytes = arena.get(*from..*to).unwrap_or_default();
                        self.show_codes(font, bytes, &mut pen, page)?;
                    }
                    Token::Number(adjust) => pen.advance -= adjust / 1000.0 * pen.size * pen.scale,
                    _ => {}
                }
            }
        }
        let advance = pen.advance;
        translate(&mut run.text.matrix, advance, 0.0);
        Ok(())
    }

    /// Places the glyphs of `bytes` with `pen` (9.4.4).
    fn show_codes(
        &mut self,
        font: &Font,
        bytes: &[u8],
        pen: &mut Pen,
        page: &mut PageGlyphs,
    ) -> Result<(), TextError> {
        if let Some(glyphs) = font.simple_glyphs() {
            self.budget.charge_glyphs(bytes.len())?;
            for &byte in bytes {
                if let Some(glyph) = glyphs.get(usize::from(byte)) {
                    pen.place(page, glyph.width, byte == 32, |page, x, end, y, size| {
                        page.push_known(x, end, y, size, glyph);
                    });
                }
            }
            return Ok(());
        }
        let mut rest = bytes;
        let mut count = 0;
        while !rest.is_empty() {
            let (code, len) = font.next_code(rest);
            rest = rest.get(len.max(1)..).unwrap_or_default();
            count += 1;
            pen.place(
                page,
                font.width(code, len),
                code == 32 && len == 1,
                |page, x, end, y, size| {
                    page.push(x, end, y, size, |out| font.write_text(code, len, out));
                },
            );
        }
        self.budget.charge_glyphs(count)
    }

    /// `Do`: runs a Form XObject (8.10); images and others carry no text.
    fn xobject(
        &mut self,
        name: &[u8],
        run: &mut Run<'d>,
        page: &mut PageGlyphs,
    ) -> Result<(), TextError> {
        let document = self.document;
        let Some(Object::Reference(id)) = run
            .resources
            .and_then(|r| dict(document, r, b"XObject"))
            .and_then(|x| x.get(name).ok())
        else {
            return Ok(());
        };
        let Ok(stream) = document.get_object(*id).and_then(Object::as_stream) else {
            return Ok(());
        };
        let ctm = run.state.ctm;
        match super::name(document, &stream.dict, b"Subtype") {
            Some(b"Form") => {}
            Some(b"Image") => {
                // An image is painted on the unit square (8.9.4).
                let mut square = Path::default();
                for (x, y) in [(0.0, 0.0), (1.0, 1.0), (0.0, 1.0), (1.0, 0.0)] {
                    let (x, y) = apply(&ctm, x, y);
                    square.add(x, y, false);
                }
                if let Some(bounds) = square.bounds() {
                    if bounds.is_signature_sized(page) {
                        page.push_mark(bounds);
                    }
                }
                return Ok(());
            }
            _ => return Ok(()),
        }
        self.form(*id, stream, ctm, run, page)
    }

    /// Runs the form `stream` (object `id`) with `/Matrix` × `ctm` as its CTM, in a
    /// copy of the current graphics state (an implicit `q`/`Q`).
    fn form(
        &mut self,
        id: ObjectId,
        stream: &'d Stream,
        ctm: Matrix,
        outer: &Run<'d>,
        page: &mut PageGlyphs,
    ) -> Result<(), TextError> {
        if outer.depth >= MAX_FORM_DEPTH || self.active.contains(&id) {
            return Ok(());
        }
        let content = match self.forms.get(&id) {
            Some(content) => {
                self.budget.charge_content(content.len())?;
                Rc::clone(content)
            }
            None => {
                let content = Rc::new(stream_bytes(stream, &mut self.budget)?.unwrap_or_default());
                self.forms.insert(id, Rc::clone(&content));
                content
            }
        };
        self.budget.charge_content(MIN_RUN_COST)?;
        let matrix = matrix(self.document, &stream.dict, b"Matrix").unwrap_or(IDENTITY);
        let mut state = outer.state.clone();
        state.ctm = multiply(&matrix, &ctm);
        let mut run = Run {
            resources: dict(self.document, &stream.dict, b"Resources").or(outer.resources),
            state,
            stack: Vec::new(),
            text: outer.text,
            depth: outer.depth + 1,
            path: Path::default(),
        };
        self.active.push(id);
        let result = self.run(&content, &mut run, page);
        self.active.pop();
        result
    }

    /// Runs the normal appearance of each visible annotation of `page_dict` (12.5.5),
    /// which is where a filled form field shows its value.
    pub(super) fn run_annotations(
        &mut self,
        page_dict: &'d Dictionary,
        ctm: Matrix,
        page: &mut PageGlyphs,
    ) -> Result<(), TextError> {
        let document = self.document;
        let outer = Run::top_level(None, ctm);
        for annotation in array(document, page_dict, b"Annots").unwrap_or_default() {
            self.budget.charge_content(MIN_RUN_COST)?;
            let Some(annotation) = resolve(document, annotation).and_then(|o| o.as_dict().ok())
            else {
                continue;
            };
            if let Some((id, stream, placement)) = appearance(document, annotation) {
                self.form(id, stream, multiply(&placement, &ctm), &outer, page)?;
            }
        }
        Ok(())
    }
}

/// Where the next glyph of a string goes: the text space as the text matrix and the
/// CTM map it to device space, and how far along its baseline the pen has moved.
struct Pen {
    /// Text space to device space (text matrix × CTM).
    m: Matrix,
    /// The font size in text space and in device space.
    size: f64,
    device_size: f64,
    char_spacing: f64,
    word_spacing: f64,
    scale: f64,
    rise: f64,
    /// The distance moved along the baseline, in text space.
    advance: f64,
}

impl Pen {
    fn new(run: &Run) -> Self {
        let state = &run.state;
        let m = multiply(&run.text.matrix, &state.ctm);
        Pen {
            m,
            size: state.size,
            // A negative size mirrors the glyphs; their height is its magnitude.
            device_size: (state.size * (m[2] * m[2] + m[3] * m[3]).sqrt()).abs(),
            char_spacing: state.char_spacing,
            word_spacing: state.word_spacing,
            scale: state.scale,
            rise: state.rise,
            advance: 0.0,
        }
    }

    /// Places a glyph of advance `width` (for a font size of 1) with `push`, given
    /// its x, end x, baseline and size, then moves past it by its width, the character
    /// spacing and, for a one-byte code 32, the word spacing, all scaled horizontally
    /// (9.4.4).
    #[inline]
    fn place(
        &mut self,
        page: &mut PageGlyphs,
        width: f32,
        space_code: bool,
        push: impl FnOnce(&mut PageGlyphs, f64, f64, f64, f64),
    ) {
        let width = f64::from(width) * self.size;
        let (x, y) = apply(&self.m, self.advance, self.rise);
        let end = x + self.m[0] * width * self.scale;
        push(page, x, end, y, self.device_size);
        let mut spacing = self.char_spacing;
        if space_code {
            spacing += self.word_spacing;
        }
        self.advance += (width + spacing) * self.scale;
    }
}

/// The normal appearance stream of a shown annotation and the matrix that places its
/// transformed `/BBox` on `/Rect` (12.5.5, algorithm 8.1).
fn appearance<'d>(
    document: &'d Document,
    annotation: &'d Dictionary,
) -> Option<(ObjectId, &'d Stream, Matrix)> {
    // Hidden (bit 2) and NoView (bit 6) annotations are not shown (12.5.3).
    let flags = match annotation.get(b"F").ok().and_then(|o| resolve(document, o)) {
        Some(Object::Integer(flags)) => *flags,
        _ => 0,
    };
    if flags & (2 | 32) != 0 {
        return None;
    }
    let normal = dict(document, annotation, b"AP")?.get(b"N").ok()?;
    let reference = match resolve(document, normal)? {
        Object::Dictionary(states) => {
            let state = name(document, annotation, b"AS")?;
            states.get(state).ok()?
        }
        _ => normal,
    };
    let id = reference.as_reference().ok()?;
    let stream = document.get_object(id).ok()?.as_stream().ok()?;
    let rect = rectangle(document, annotation, b"Rect")?;
    let bbox = rectangle(document, &stream.dict, b"BBox")?;
    let form_matrix = matrix(document, &stream.dict, b"Matrix").unwrap_or(IDENTITY);
    // The box as the form matrix transforms it, then scaled and moved onto Rect.
    let corners = [
        apply(&form_matrix, bbox[0], bbox[1]),
        apply(&form_matrix, bbox[2], bbox[1]),
        apply(&form_matrix, bbox[0], bbox[3]),
        apply(&form_matrix, bbox[2], bbox[3]),
    ];
    let min_x = corners.iter().map(|c| c.0).fold(f64::INFINITY, f64::min);
    let max_x = corners
        .iter()
        .map(|c| c.0)
        .fold(f64::NEG_INFINITY, f64::max);
    let min_y = corners.iter().map(|c| c.1).fold(f64::INFINITY, f64::min);
    let max_y = corners
        .iter()
        .map(|c| c.1)
        .fold(f64::NEG_INFINITY, f64::max);
    let scale = |target: f64, source: f64| {
        if source.abs() > 1e-9 {
            target / source
        } else {
            1.0
        }
    };
    let sx = scale(rect[2] - rect[0], max_x - min_x);
    let sy = scale(rect[3] - rect[1], max_y - min_y);
    let placement = [sx, 0.0, 0.0, sy, rect[0] - min_x * sx, rect[1] - min_y * sy];
    // The form's own /Matrix is applied again by `Interpreter::form`; place its
    // output, not its input.
    Some((id, stream, placement))
}

/// A rectangle `[x0 y0 x1 y1]` normalised so that x0 ≤ x1 and y0 ≤ y1 (7.9.5).
pub(super) fn rectangle(
    document: &Document,
    dictionary: &Dictionary,
    key: &[u8],
) -> Option<[f64; 4]> {
    let values = numbers_of(document, array(document, dictionary, key)?)?;
    let [x0, y0, x1, y1] = values;
    Some([x0.min(x1), y0.min(y1), x0.max(x1), y0.max(y1)])
}

/// A matrix array such as a form's `/Matrix`.
fn matrix(document: &Document, dictionary: &Dictionary, key: &[u8]) -> Option<Matrix> {
    numbers_of(document, array(document, dictionary, key)?)
}

fn numbers_of<const N: usize>(document: &Document, items: &[Object]) -> Option<[f64; N]> {
    let mut out = [0.0; N];
    if items.len() != N {
        return None;
    }
    for (slot, item) in out.iter_mut().zip(items) {
        *slot = match resolve(document, item)? {
            Object::Integer(value) => *value as f64,
            Object::Real(value) => f64::from(*value),
            _ => return None,
        };
        if !slot.is_finite() {
            return None;
        }
    }
    Some(out)
}

/// The last `N` operands, when they are all finite numbers.
fn numbers<const N: usize>(operands: &[Token]) -> Option<[f64; N]> {
    let start = operands.len().checked_sub(N)?;
    let mut out = [0.0; N];
    for (slot, token) in out.iter_mut().zip(operands.get(start..)?) {
        match token {
            Token::Number(value) if value.is_finite() => *slot = *value,
            _ => return None,
        }
    }
    Some(out)
}

fn set(target: &mut f64, operands: &[Token]) {
    if let Some([value]) = numbers::<1>(operands) {
        *target = value;
    }
}

fn last_name<'a>(operands: &[Token], arena: &'a [u8]) -> Option<&'a [u8]> {
    operands.iter().rev().find_map(|token| match token {
        Token::Name((start, end)) => arena.get(*start..*end),
        _ => None,
    })
}

fn last_string<'a>(operands: &[Token], arena: &'a [u8]) -> &'a [u8] {
    operands
        .iter()
        .rev()
        .find_map(|token| match token {
            Token::String((start, end)) => arena.get(*start..*end),
            _ => None,
        })
        .unwrap_or_default()
}
