//! From placed glyphs to lines of text, the way `pdftotext -layout` lays them out:
//! glyphs sharing a baseline form a line, lines go top to bottom, glyphs left to right,
//! and horizontal position becomes leading spaces or a run of spaces between columns.

use super::interp::{Glyph, GlyphText, PageGlyphs};

/// Baselines closer than this fraction of the larger font size belong to one line (as
/// poppler's `maxIntraLineDelta`): a form field's value, set a few points above or
/// below its label, stays on the label's line.
const LINE_TOLERANCE: f32 = 0.5;
/// A gap wider than this fraction of the font size is a word break.
const SPACE_GAP: f32 = 0.25;
/// A gap wider than this fraction of the font size splits a line into fragments, each
/// placed in its own column (table cells, a value far right of its label).
const COLUMN_GAP: f32 = 1.5;
/// Above this many fragments on a page, columns come from x alone instead of from the
/// fragments to the left (which costs the square of their number).
const MAX_FRAGMENTS: usize = 1_000;
/// Width of one character column in points, for that fallback.
const COLUMN_WIDTH: f32 = 4.5;
/// Bound on the column a fragment is printed at.
const MAX_COLUMN: usize = 400;
/// Bound on the line breaks printed for one vertical gap.
const MAX_LINE_BREAKS: usize = 5;

/// A run of glyphs on one line with no wide gap, printed as one piece.
#[derive(Debug)]
struct Fragment {
    /// Index of its line.
    line: usize,
    x_min: f32,
    x_max: f32,
    /// Its text: a byte range of [`Fragments::text`].
    text: (usize, usize),
    /// The horizontal middle of each of its characters: a range of
    /// [`Fragments::centers`].
    centers: (usize, usize),
    /// The column it is printed at.
    column: usize,
}

impl Fragment {
    /// Its width in characters.
    fn width(&self) -> usize {
        self.centers.1 - self.centers.0
    }
}

/// The fragments of a page, in line order and left to right, their text and
/// character positions kept in two shared buffers.
#[derive(Debug, Default)]
struct Fragments {
    list: Vec<Fragment>,
    text: String,
    centers: Vec<f32>,
}

impl Fragments {
    /// Starts a fragment on line `line` at `x`.
    fn start(&mut self, line: usize, x: f32) {
        self.list.push(Fragment {
            line,
            x_min: x,
            x_max: x,
            text: (self.text.len(), self.text.len()),
            centers: (self.centers.len(), self.centers.len()),
            column: 0,
        });
    }

    /// Appends `text` drawn from `x` to `end` to the last fragment, its characters
    /// sharing the width.
    fn push(&mut self, text: &str, x: f32, end: f32) {
        let step = (end - x) / text.chars().count().max(1) as f32;
        let mut center = x + step / 2.0;
        for c in text.chars() {
            self.text.push(c);
            self.centers.push(center);
            center += step;
        }
        self.close(end);
    }

    /// Appends the glyph `glyph` of `page` to the last fragment.
    #[inline(always)]
    fn push_glyph(&mut self, page: &PageGlyphs, glyph: &Glyph) {
        match glyph.text {
            GlyphText::Char(c) => {
                self.text.push(c);
                self.centers.push((glyph.x + glyph.end) / 2.0);
                self.close(glyph.end);
            }
            GlyphText::Span(..) => {
                let mut buffer = [0; 4];
                self.push(page.text_of(glyph, &mut buffer), glyph.x, glyph.end);
            }
        }
    }

    /// Extends the last fragment over what was pushed, up to `end`.
    #[inline(always)]
    fn close(&mut self, end: f32) {
        if let Some(fragment) = self.list.last_mut() {
            fragment.text.1 = self.text.len();
            fragment.centers.1 = self.centers.len();
            if end > fragment.x_max {
                fragment.x_max = end;
            }
        }
    }

    fn text_of(&self, fragment: &Fragment) -> &str {
        self.text
            .get(fragment.text.0..fragment.text.1)
            .unwrap_or_default()
    }
}

/// The lines of `page`, top to bottom, as `pdftotext -layout` prints them: lines split
/// into fragments at wide gaps, each fragment printed at a column after everything
/// left of it on the page, blank lines for vertical gaps.
pub(super) fn lines(page: &PageGlyphs) -> Vec<String> {
    let (order, lines) = baselines(&page.glyphs);
    let line_glyphs = |&(start, end): &(usize, usize)| {
        order
            .get(start..end)
            .unwrap_or_default()
            .iter()
            .filter_map(|index| page.glyphs.get(*index as usize))
    };
    let mut fragments = Fragments {
        text: String::with_capacity(page.text.len() + page.glyphs.len() * 5 / 4),
        centers: Vec::with_capacity(page.glyphs.len() * 5 / 4),
        ..Fragments::default()
    };
    for (index, line) in lines.iter().enumerate() {
        split(page, index, line_glyphs(line), &mut fragments);
    }
    assign_columns(&mut fragments);
    let mut out = Vec::with_capacity(lines.len() * 3 / 2);
    let mut previous: Option<(f32, f32)> = None;
    let mut next = fragments.list.iter().peekable();
    for (index, line) in lines.iter().enumerate() {
        let mut text = String::with_capacity((line.1 - line.0) * 5 / 4 + 32);
        let mut width = 0;
        while let Some(fragment) = next.next_if(|f| f.line == index) {
            let target = if width == 0 {
                fragment.column
            } else {
                fragment.column.max(width + 1)
            };
            text.extend(std::iter::repeat_n(' ', target.saturating_sub(width)));
            text.push_str(fragments.text_of(fragment));
            width = target.max(width) + fragment.width();
        }
        if text.trim().is_empty() {
            continue;
        }
        let (y, size) = reference(page, line_glyphs(line));
        if let Some((above_y, above_size)) = previous {
            let breaks = line_breaks(y - above_y, above_size);
            out.extend(std::iter::repeat_n(String::new(), breaks - 1));
        }
        previous = Some((y, size));
        text.truncate(text.trim_end().len());
        out.push(text);
    }
    out
}

/// Consecutive glyphs drawn on one baseline left to right, as a text-showing operator
/// draws them: sorting these is much cheaper than sorting glyphs.
#[derive(Debug, Clone, Copy)]
struct GlyphRun {
    y: f32,
    size: f32,
    x_min: f32,
    x_max: f32,
    /// The x of its last glyph.
    last_x: f32,
    /// Its glyphs: a range of the page's.
    start: usize,
    end: usize,
}

/// Groups glyphs by baseline, top to bottom, each line sorted left to right: the
/// glyph indices in reading order, and each line's range of them.
fn baselines(glyphs: &[Glyph]) -> (Vec<u32>, Vec<(usize, usize)>) {
    let mut runs: Vec<GlyphRun> = Vec::new();
    for (index, glyph) in glyphs.iter().enumerate() {
        match runs.last_mut() {
            Some(run) if glyph.y == run.y && glyph.x >= run.last_x => {
                run.end = index + 1;
                run.last_x = glyph.x;
                run.x_max = larger(run.x_max, glyph.end);
                run.size = larger(run.size, glyph.size);
            }
            _ => runs.push(GlyphRun {
                y: glyph.y,
                size: glyph.size,
                x_min: glyph.x,
                x_max: glyph.end.max(glyph.x),
                last_x: glyph.x,
                start: index,
                end: index + 1,
            }),
        }
    }
    runs.sort_by(|a, b| a.y.total_cmp(&b.y));
    let mut order: Vec<u32> = Vec::with_capacity(glyphs.len());
    let mut lines = Vec::new();
    let mut first = 0;
    while let Some(anchor) = runs.get(first) {
        let count = runs
            .get(first..)
            .unwrap_or_default()
            .iter()
            .take_while(|run| run.y - anchor.y <= LINE_TOLERANCE * anchor.size.max(run.size))
            .count();
        let line = runs.get_mut(first..first + count).unwrap_or_default();
        let start = order.len();
        line_order(glyphs, line, &mut order);
        lines.push((start, order.len()));
        first += count.max(1);
    }
    (order, lines)
}

/// Appends the glyphs of the runs of one line to `order`, left to right; glyphs at
/// one place keep the order they were drawn in.
fn line_order(glyphs: &[Glyph], line: &mut [GlyphRun], order: &mut Vec<u32>) {
    line.sort_by(|a, b| a.x_min.total_cmp(&b.x_min));
    let start = order.len();
    let mut disjoint = true;
    let mut right = f32::NEG_INFINITY;
    for run in line.iter() {
        disjoint &= run.x_min >= right;
        right = right.max(run.x_max);
        order.extend((run.start..run.end).filter_map(|i| u32::try_from(i).ok()));
    }
    if !disjoint {
        // Runs overlap: sort their glyphs themselves.
        if let Some(mixed) = order.get_mut(start..) {
            let x = |i: &u32| glyphs.get(*i as usize).map_or(0.0, |g| g.x);
            mixed.sort_by(|a, b| x(a).total_cmp(&x(b)));
        }
    }
}

/// The baseline and font size that stand for a line: those of its first letter or
/// digit, as a box or a check mark before it may sit a little higher and be smaller.
fn reference<'a>(page: &PageGlyphs, line: impl Iterator<Item = &'a Glyph>) -> (f32, f32) {
    let mut first = None;
    for glyph in line {
        first = first.or(Some(glyph));
        let letter = page.first_char(glyph).is_some_and(char::is_alphanumeric);
        if letter && !glyph.space {
            first = Some(glyph);
            break;
        }
    }
    first.map_or((0.0, 0.0), |g| (g.y, g.size))
}

/// How many line breaks a baseline-to-baseline distance of `gap` stands for below a
/// line of font size `size`: one per font size, one at least (as poppler counts).
fn line_breaks(gap: f32, size: f32) -> usize {
    let breaks = (gap / size).floor();
    if breaks.is_finite() && breaks > 1.0 {
        (breaks as usize).min(MAX_LINE_BREAKS)
    } else {
        1
    }
}

/// Splits one line (sorted left to right) into fragments at its wide gaps; a space
/// goes where the page draws one or leaves a word-sized gap.
fn split<'a>(
    page: &PageGlyphs,
    index: usize,
    line: impl Iterator<Item = &'a Glyph>,
    out: &mut Fragments,
) {
    let mut previous: Option<&Glyph> = None;
    let mut space = false;
    for glyph in line {
        if glyph.space {
            space = previous.is_some();
            continue;
        }
        let gap = previous.map(|before| (before, glyph.x - before.end));
        match gap {
            Some((before, _)) if duplicate(page, before, glyph) => continue,
            Some((before, gap)) if gap <= COLUMN_GAP * larger(before.size, glyph.size) => {
                if space || gap > SPACE_GAP * larger(before.size, glyph.size) {
                    out.push(" ", before.end, glyph.x);
                }
            }
            _ => out.start(index, glyph.x),
        }
        out.push_glyph(page, glyph);
        previous = Some(glyph);
        space = false;
    }
}

/// Gives each fragment the first column after every fragment that ends left of it on
/// the page, or the column of the character of an overlapping fragment above or below
/// that it starts under; fragments are taken left to right.
fn assign_columns(fragments: &mut Fragments) {
    let list = &mut fragments.list;
    if list.len() > MAX_FRAGMENTS {
        let left = list.iter().map(|f| f.x_min).fold(f32::INFINITY, f32::min);
        for fragment in list.iter_mut() {
            let column = ((fragment.x_min - left) / COLUMN_WIDTH).round();
            fragment.column = if column.is_finite() && column > 0.0 {
                (column as usize).min(MAX_COLUMN)
            } else {
                0
            };
        }
        return;
    }
    let mut by_x: Vec<usize> = (0..list.len()).collect();
    by_x.sort_by(|a, b| {
        let x = |i: &usize| list.get(*i).map_or(0.0, |f| f.x_min);
        x(a).total_cmp(&x(b))
    });
    let centers = &fragments.centers;
    for (placed, &current) in by_x.iter().enumerate() {
        let Some(x_min) = list.get(current).map(|f| f.x_min) else {
            continue;
        };
        let column = by_x
            .get(..placed)
            .unwrap_or_default()
            .iter()
            .filter_map(|&i| list.get(i))
            .map(|left| {
                if x_min >= left.x_max {
                    left.column + left.width() + 1
                } else {
                    let chars = centers
                        .get(left.centers.0..left.centers.1)
                        .unwrap_or_default();
                    left.column + chars.partition_point(|c| *c <= x_min)
                }
            })
            .max()
            .unwrap_or(0);
        if let Some(fragment) = list.get_mut(current) {
            fragment.column = column.min(MAX_COLUMN);
        }
    }
}

/// The larger of two numbers, with none of `f32::max`'s care for NaN: glyphs
/// positioned at NaN never reach the layout.
#[inline(always)]
fn larger(a: f32, b: f32) -> f32 {
    if a >= b {
        a
    } else {
        b
    }
}

/// A glyph drawn again over the previous one (fake bold, shadows): printed once.
fn duplicate(page: &PageGlyphs, before: &Glyph, glyph: &Glyph) -> bool {
    let near = 0.1 * glyph.size;
    (glyph.x - before.x).abs() < near
        && (glyph.y - before.y).abs() < near
        && match (glyph.text, before.text) {
            (GlyphText::Char(a), GlyphText::Char(b)) => a == b,
            _ => {
                let (mut one, mut other) = ([0; 4], [0; 4]);
                page.text_of(glyph, &mut one) == page.text_of(before, &mut other)
            }
        }
}
