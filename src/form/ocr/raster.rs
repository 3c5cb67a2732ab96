//! A rendered page as pixels: read from pdftoppm's PGM, cleaned for OCR (toner specks
//! and the form's dotted lines erased, which Tesseract otherwise reads as letters glued
//! to the values), and measured where OCR cannot help: is a box ticked, is there ink
//! on a signature line.

#![cfg_attr(not(test), deny(clippy::indexing_slicing, clippy::string_slice))]

/// A grayscale page, 0 black to 255 white, row by row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// Pixels across.
    pub width: usize,
    /// Pixels down.
    pub height: usize,
    gray: Vec<u8>,
    /// The gray image before cleaning (turning the page cleans it again).
    rendered: Vec<u8>,
    /// Dark (ink) after cleaning, one per pixel.
    dark: Vec<bool>,
    /// Checkboxes found, erased from `gray` (OCR reads them as letters glued to the
    /// option's first word) but kept in `dark`.
    boxes: Vec<(Rect, Tick)>,
}

/// A rectangle of pixels, right and bottom excluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rect {
    /// Left column.
    pub left: usize,
    /// Top row.
    pub top: usize,
    /// Column past the right edge.
    pub right: usize,
    /// Row past the bottom edge.
    pub bottom: usize,
}

impl Rect {
    fn width(&self) -> usize {
        self.right.saturating_sub(self.left)
    }

    fn height(&self) -> usize {
        self.bottom.saturating_sub(self.top)
    }

    fn area(&self) -> usize {
        self.width() * self.height()
    }

    /// Whether the pixel is inside.
    pub fn contains(&self, x: usize, y: usize) -> bool {
        (self.left..self.right).contains(&x) && (self.top..self.bottom).contains(&y)
    }
}

/// What a checkbox holds, by its pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tick {
    /// A mark inside.
    Ticked,
    /// Empty.
    Empty,
    /// A little ink inside: too little to call it ticked, too much to call it empty.
    Unsure,
}

/// Inside a box: less ink than this fraction is empty, more than `TICKED` is ticked.
const EMPTY: f64 = 0.07;
const TICKED: f64 = 0.18;

impl Page {
    /// Reads a binary PGM (`P5`, 8 bits), as `pdftoppm -gray` writes it; `None` for
    /// anything else or a size over `max_pixels`.
    pub fn from_pgm(bytes: &[u8], max_pixels: u64) -> Option<Page> {
        let mut fields = Vec::with_capacity(4);
        let mut at = 0;
        while fields.len() < 4 {
            // Header fields are separated by white space; `#` opens a comment line.
            while let Some(&byte) = bytes.get(at) {
                if byte == b'#' {
                    while bytes.get(at).is_some_and(|&b| b != b'\n') {
                        at += 1;
                    }
                } else if byte.is_ascii_whitespace() {
                    at += 1;
                } else {
                    break;
                }
            }
            let start = at;
            while bytes.get(at).is_some_and(|b| !b.is_ascii_whitespace()) {
                at += 1;
            }
            fields.push(std::str::from_utf8(bytes.get(start..at)?).ok()?);
        }
        let (magic, width, height, max) = (
            fields.first()?,
            fields.get(1)?,
            fields.get(2)?,
            fields.get(3)?,
        );
        if *magic != "P5" || *max != "255" {
            return None;
        }
        let width: usize = width.parse().ok()?;
        let height: usize = height.parse().ok()?;
        let pixels = width.checked_mul(height)?;
        if pixels == 0 || u64::try_from(pixels).ok()? > max_pixels {
            return None;
        }
        // One white-space byte ends the header.
        let gray = bytes.get(at + 1..at + 1 + pixels)?.to_vec();
        let mut page = Page {
            width,
            height,
            gray,
            rendered: Vec::new(),
            dark: Vec::new(),
            boxes: Vec::new(),
        };
        if page.is_bilevel() {
            page.gray = page.softened();
        }
        page.rendered = page.gray.clone();
        page.clean();
        Some(page)
    }

    /// The page turned half a turn (a sheet fed upside down), cleaned again.
    pub fn turned(&self) -> Page {
        let mut gray = self.rendered.clone();
        gray.reverse();
        let mut page = Page {
            width: self.width,
            height: self.height,
            rendered: gray.clone(),
            gray,
            dark: Vec::new(),
            boxes: Vec::new(),
        };
        page.clean();
        page
    }

    /// The cleaned page as a PGM, for Tesseract.
    pub fn to_pgm(&self) -> Vec<u8> {
        let mut out = format!("P5\n{} {}\n255\n", self.width, self.height).into_bytes();
        out.extend_from_slice(&self.gray);
        out
    }

    /// Whether the page is black and white (a CCITT scan): then it is softened before
    /// anything else, since its gray or coloured print comes as a halftone of separate
    /// dots, which Tesseract reads as noise and cleaning takes for specks and dotted
    /// lines, and which a 3×3 mean makes strokes again. Whether the page is black and white: pixels in between are few (the soft edges
    /// pdftoppm gives a 1-bit image), fewer than twice the black ones. A gray scan has
    /// ten times as many in-between pixels as black ones.
    fn is_bilevel(&self) -> bool {
        let (mut black, mut white) = (0usize, 0usize);
        for &v in &self.gray {
            match v {
                0 => black += 1,
                255 => white += 1,
                _ => {}
            }
        }
        let between = self.gray.len() - black - white;
        between * 20 < self.gray.len() && between < black * 2
    }

    /// The gray image, each pixel the mean of its 3×3 neighbourhood (white beyond the
    /// edges): sums across, then down, in plain loops — cheap even in a debug build.
    #[allow(clippy::indexing_slicing)] // every index is below width × height, checked above
    fn softened(&self) -> Vec<u8> {
        let (width, height) = (self.width, self.height);
        if self.gray.len() != width * height || width == 0 {
            return self.gray.clone();
        }
        let gray = &self.gray;
        let mut across = vec![0u16; gray.len()];
        for y in 0..height {
            let row = y * width;
            for x in 0..width {
                let left = if x > 0 { gray[row + x - 1] } else { 255 };
                let right = if x + 1 < width {
                    gray[row + x + 1]
                } else {
                    255
                };
                across[row + x] = u16::from(left) + u16::from(gray[row + x]) + u16::from(right);
            }
        }
        let mut out = vec![255u8; gray.len()];
        for y in 0..height {
            let row = y * width;
            for x in 0..width {
                let above = if y > 0 { across[row - width + x] } else { 765 };
                let below = if y + 1 < height {
                    across[row + width + x]
                } else {
                    765
                };
                let sum = above + across[row + x] + below;
                out[row + x] = u8::try_from(sum / 9).unwrap_or(255);
            }
        }
        out
    }

    /// Whether a component of `pixels` pixels within `bounds` has no other ink within
    /// four pixels: a speck, not a dot of a halftone (the dithered heading of a bilevel
    /// scan, whose dots lie close together).
    fn is_isolated(&self, bounds: Rect, pixels: usize) -> bool {
        let mut dark = 0;
        for y in bounds.top.saturating_sub(4)..(bounds.bottom + 4).min(self.height) {
            for x in bounds.left.saturating_sub(4)..(bounds.right + 4).min(self.width) {
                if self.is_dark(x, y) {
                    dark += 1;
                }
            }
        }
        dark <= pixels
    }

    fn is_dark(&self, x: usize, y: usize) -> bool {
        x < self.width && self.dark.get(y * self.width + x).copied().unwrap_or(false)
    }

    /// Dark pixels in `rect` (clipped to the page), not counting those in `except`.
    pub fn ink(&self, rect: Rect, except: &[Rect]) -> usize {
        let mut count = 0;
        for y in rect.top..rect.bottom.min(self.height) {
            for x in rect.left..rect.right.min(self.width) {
                if self.is_dark(x, y) && !except.iter().any(|r| r.contains(x, y)) {
                    count += 1;
                }
            }
        }
        count
    }

    /// The checkboxes of the page, with what they hold.
    pub fn boxes(&self) -> &[(Rect, Tick)] {
        &self.boxes
    }

    /// Whether `ink` is a printed box: square, of a text's size, its four sides drawn
    /// straight and mostly whole (a scan breaks lines; an "O", a "D" or an "E" has
    /// a side that is not).
    fn is_box(&self, ink: Rect) -> bool {
        let (w, h) = (ink.width(), ink.height());
        let (min, max) = (self.width / 120, self.width / 30);
        let squarish = w * 10 >= h * 8 && h * 10 >= w * 8;
        if !squarish || w < min.max(6) || w > max {
            return false;
        }
        // Thick enough to hold a side shifted by a speck stuck to a corner.
        let edge = (w / 5).max(2);
        let sides = [
            Rect {
                bottom: ink.top + edge,
                ..ink
            },
            Rect {
                top: ink.bottom - edge,
                ..ink
            },
            Rect {
                right: ink.left + edge,
                ..ink
            },
            Rect {
                left: ink.right - edge,
                ..ink
            },
        ];
        // Square corners: a "D" or an "O" has round ones.
        let corner = (w / 6).max(2);
        let corners = [
            (ink.left, ink.top),
            (ink.right - corner, ink.top),
            (ink.left, ink.bottom - corner),
            (ink.right - corner, ink.bottom - corner),
        ];
        let square = corners.iter().all(|&(x, y)| {
            let at = Rect {
                left: x,
                top: y,
                right: x + corner,
                bottom: y + corner,
            };
            self.ink(at, &[]) * 4 >= corner * 2
        });
        if !square {
            return false;
        }
        // A side is drawn where most rows (or columns) of its strip hold ink.
        sides.iter().enumerate().all(|(index, side)| {
            let across = index < 2;
            let (count, drawn) = if across {
                let drawn = (side.left..side.right)
                    .filter(|&x| (side.top..side.bottom).any(|y| self.is_dark(x, y)))
                    .count();
                (side.width(), drawn)
            } else {
                let drawn = (side.top..side.bottom)
                    .filter(|&y| (side.left..side.right).any(|x| self.is_dark(x, y)))
                    .count();
                (side.height(), drawn)
            };
            drawn * 100 >= count * 75
        })
    }

    /// What a box holds: ink in its inner half is a tick, (almost) none is empty.
    fn tick(&self, ink: Rect) -> Tick {
        let (w, h) = (ink.width(), ink.height());
        let inner = Rect {
            left: ink.left + w / 4,
            top: ink.top + h / 4,
            right: ink.right - w / 4,
            bottom: ink.bottom - h / 4,
        };
        let inside = self.ink(inner, &[]) as f64 / inner.area().max(1) as f64;
        if inside >= TICKED {
            Tick::Ticked
        } else if inside <= EMPTY {
            Tick::Empty
        } else {
            Tick::Unsure
        }
    }

    /// Thresholds the page (Otsu), then erases specks and dotted lines from both the
    /// dark map and the gray image Tesseract reads.
    fn clean(&mut self) {
        let threshold = otsu(&self.gray).clamp(60, 200);
        self.dark = self.gray.iter().map(|&v| v < threshold).collect();
        let components = components(&self.dark, self.width, self.height);
        let dot = (self.width / 300).max(3);
        let mut erase: Vec<&Component> = Vec::new();
        let mut dots: Vec<&Component> = Vec::new();
        for component in &components {
            let b = component.bounds;
            if component.pixels.len() <= 3 && self.is_isolated(b, component.pixels.len()) {
                erase.push(component);
            } else if b.width() <= dot * 2 && b.height() <= dot * 2 {
                dots.push(component);
            }
        }
        let dotted = dotted_lines(&mut dots, dot);
        let boxes: Vec<&Component> = components
            .iter()
            .filter(|component| component.pixels.len() > 3 && self.is_box(component.bounds))
            .collect();
        for component in erase.iter().chain(&dotted) {
            for &index in &component.pixels {
                if let Some(pixel) = self.dark.get_mut(index) {
                    *pixel = false;
                }
                if let Some(pixel) = self.gray.get_mut(index) {
                    *pixel = 255;
                }
            }
        }
        self.boxes = boxes
            .iter()
            .map(|component| (component.bounds, self.tick(component.bounds)))
            .collect();
        // A dot's or a box's soft edge, lighter than the threshold, would still show.
        for component in dotted.iter().chain(&boxes) {
            let b = component.bounds;
            for y in b.top.saturating_sub(1)..(b.bottom + 1).min(self.height) {
                for x in b.left.saturating_sub(1)..(b.right + 1).min(self.width) {
                    if let Some(pixel) = self.gray.get_mut(y * self.width + x) {
                        *pixel = 255;
                    }
                }
            }
        }
    }
}

/// Otsu's threshold of a gray histogram.
fn otsu(gray: &[u8]) -> u8 {
    let mut histogram = [0u64; 256];
    for &v in gray {
        if let Some(count) = histogram.get_mut(usize::from(v)) {
            *count += 1;
        }
    }
    let total = gray.len() as f64;
    let sum: f64 = histogram
        .iter()
        .enumerate()
        .map(|(v, &n)| v as f64 * n as f64)
        .sum();
    let (mut below, mut below_sum, mut best, mut threshold) = (0.0, 0.0, 0.0, 128u8);
    for (v, &n) in histogram.iter().enumerate() {
        below += n as f64;
        below_sum += v as f64 * n as f64;
        let above = total - below;
        if below == 0.0 || above == 0.0 {
            continue;
        }
        let (mean_below, mean_above) = (below_sum / below, (sum - below_sum) / above);
        let between = below * above * (mean_below - mean_above).powi(2);
        if between > best {
            best = between;
            threshold = u8::try_from(v + 1).unwrap_or(u8::MAX);
        }
    }
    threshold
}

/// A set of touching dark pixels.
struct Component {
    bounds: Rect,
    pixels: Vec<usize>,
}

impl Component {
    fn center_y(&self) -> usize {
        (self.bounds.top + self.bounds.bottom) / 2
    }
}

/// The 8-connected components of `dark`.
fn components(dark: &[bool], width: usize, height: usize) -> Vec<Component> {
    let mut seen = vec![false; dark.len()];
    let mut found = Vec::new();
    let mut stack = Vec::new();
    for start in 0..dark.len() {
        if !dark.get(start).copied().unwrap_or(false) || seen.get(start).copied().unwrap_or(true) {
            continue;
        }
        let mut pixels = Vec::new();
        let (x0, y0) = (start % width, start / width);
        let mut bounds = Rect {
            left: x0,
            top: y0,
            right: x0 + 1,
            bottom: y0 + 1,
        };
        stack.push(start);
        if let Some(s) = seen.get_mut(start) {
            *s = true;
        }
        while let Some(index) = stack.pop() {
            pixels.push(index);
            let (x, y) = (index % width, index / width);
            bounds.left = bounds.left.min(x);
            bounds.top = bounds.top.min(y);
            bounds.right = bounds.right.max(x + 1);
            bounds.bottom = bounds.bottom.max(y + 1);
            for ny in y.saturating_sub(1)..=(y + 1).min(height - 1) {
                for nx in x.saturating_sub(1)..=(x + 1).min(width - 1) {
                    let next = ny * width + nx;
                    if dark.get(next).copied().unwrap_or(false)
                        && !seen.get(next).copied().unwrap_or(true)
                    {
                        if let Some(s) = seen.get_mut(next) {
                            *s = true;
                        }
                        stack.push(next);
                    }
                }
            }
        }
        found.push(Component { bounds, pixels });
    }
    found
}

/// Dots that line up on one baseline, evenly and closely, at least `MIN_RUN` of them:
/// the dotted lines values are written on ("Nom : ......").
fn dotted_lines<'c>(dots: &mut [&'c Component], dot: usize) -> Vec<&'c Component> {
    const MIN_RUN: usize = 6;
    dots.sort_by_key(|c| (c.center_y() / (dot * 2), c.bounds.left));
    let mut used = vec![false; dots.len()];
    let mut erased = Vec::new();
    for start in 0..dots.len() {
        if used.get(start).copied().unwrap_or(true) {
            continue;
        }
        let Some(first) = dots.get(start) else {
            continue;
        };
        let mut run = vec![start];
        let mut last = *first;
        // The next dot to the right on the same baseline, within a few dot widths.
        for (index, candidate) in dots.iter().enumerate().skip(start + 1) {
            if used.get(index).copied().unwrap_or(true) {
                continue;
            }
            let same_line = candidate.center_y().abs_diff(last.center_y()) <= dot;
            let gap = candidate.bounds.left.saturating_sub(last.bounds.right);
            if same_line && candidate.bounds.left >= last.bounds.right && gap <= dot * 4 {
                run.push(index);
                last = candidate;
            } else if candidate.center_y() > last.center_y() + dot * 4 {
                break;
            }
        }
        if run.len() >= MIN_RUN {
            for index in run {
                if let (Some(u), Some(component)) = (used.get_mut(index), dots.get(index)) {
                    *u = true;
                    erased.push(*component);
                }
            }
        }
    }
    erased
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pgm(width: usize, height: usize, draw: impl Fn(usize, usize) -> bool) -> Vec<u8> {
        let mut out = format!("P5\n# test\n{width} {height}\n255\n").into_bytes();
        for y in 0..height {
            for x in 0..width {
                out.push(if draw(x, y) { 10 } else { 240 });
            }
        }
        out
    }

    fn outline(x: usize, y: usize, left: usize, top: usize, size: usize) -> bool {
        let inside = (left..left + size).contains(&x) && (top..top + size).contains(&y);
        let edge = x == left || x == left + size - 1 || y == top || y == top + size - 1;
        inside && edge
    }

    #[test]
    fn a_page_turned_half_a_turn_has_its_pixels_in_reverse_order() {
        let bytes = pgm(4, 3, |x, y| x == 0 && y == 0);
        let page = Page::from_pgm(&bytes, 100).expect("page");
        let turned = page.turned();
        assert_eq!((turned.width, turned.height), (4, 3));
        let mut reversed = page.rendered.clone();
        reversed.reverse();
        assert_eq!(turned.rendered, reversed);
        assert_eq!(turned.turned().gray, page.gray);
    }

    #[test]
    fn a_pgm_is_read_and_a_bad_or_oversized_one_is_refused() {
        let bytes = pgm(30, 20, |x, _| x < 10);
        let page = Page::from_pgm(&bytes, 1_000).expect("page");
        assert_eq!((page.width, page.height), (30, 20));
        assert!(Page::from_pgm(&bytes, 100).is_none(), "over max_pixels");
        assert!(Page::from_pgm(b"P6\n1 1\n255\n\0\0\0", 100).is_none());
        assert!(Page::from_pgm(&bytes[..40], 1_000).is_none(), "truncated");
        assert!(Page::from_pgm(b"P5\n99999999999 2\n255\n", u64::MAX).is_none());
    }

    #[test]
    fn boxes_are_found_with_what_they_hold_and_letters_are_not_boxes() {
        let bytes = pgm(1200, 60, |x, y| {
            let crossed = (100..120).contains(&x) && (20..40).contains(&y) && {
                let (dx, dy) = (x - 100, y - 20);
                dx.abs_diff(dy) <= 1 || (19 - dx).abs_diff(dy) <= 1
            };
            // A "D": straight left, top and bottom, open at the right corners.
            let letter_d = (200..220).contains(&x)
                && (20..40).contains(&y)
                && (x == 200
                    || ((y == 20 || y == 39) && x < 214)
                    || (x == 219 && (24..36).contains(&y)));
            outline(x, y, 20, 20, 20) || outline(x, y, 100, 20, 20) || crossed || letter_d
        });
        let page = Page::from_pgm(&bytes, 100_000).expect("page");
        let found: Vec<(usize, Tick)> = page.boxes().iter().map(|(r, t)| (r.left, *t)).collect();
        assert_eq!(found, vec![(20, Tick::Empty), (100, Tick::Ticked)]);
        let header = "P5\n# test\n1200 60\n255\n".len();
        let gray = |x: usize, y: usize| page.to_pgm()[header - "# test\n".len() + y * 1200 + x];
        assert_eq!(gray(20, 25), 255, "boxes are erased for OCR");
        assert_eq!(gray(200, 25), 10, "a letter is not");
    }

    #[test]
    fn dotted_lines_and_specks_are_erased_but_letters_stay() {
        // A 40 x 20 block (a letter), a lone speck, and a run of 3 x 3 dots.
        let bytes = pgm(400, 60, |x, y| {
            let letter = (10..50).contains(&x) && (10..30).contains(&y);
            let speck = x == 70 && y == 15;
            let dots = x >= 100 && (x - 100) % 8 < 3 && (24..27).contains(&y);
            letter || speck || dots
        });
        let page = Page::from_pgm(&bytes, 100_000).expect("page");
        let all = Rect {
            left: 0,
            top: 0,
            right: 400,
            bottom: 60,
        };
        assert_eq!(page.ink(all, &[]), 40 * 20, "only the letter is left");
        let header = "P5\n400 60\n255\n".len();
        let gray = |x: usize, y: usize| page.to_pgm()[header + y * 400 + x];
        assert_eq!(gray(20, 20), 10, "the letter");
        assert_eq!(gray(101, 25), 255, "a dot");
        assert_eq!(gray(70, 15), 255, "the speck");
    }
}
