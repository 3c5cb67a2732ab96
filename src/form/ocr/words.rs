//! The words Tesseract found on a page, from its TSV output (`tesseract … tsv`): text,
//! box and confidence, grouped as Tesseract grouped them into lines.

#![cfg_attr(not(test), deny(clippy::indexing_slicing, clippy::string_slice))]

use super::raster::Rect;

/// One recognised word.
#[derive(Debug, Clone, PartialEq)]
pub struct Word {
    /// Tesseract's line: block, paragraph, line numbers.
    pub line: (u32, u32, u32),
    /// Where it is on the page, in pixels.
    pub bounds: Rect,
    /// Tesseract's confidence, 0–100.
    pub confidence: f64,
    /// The text.
    pub text: String,
}

/// The words of one page's TSV; rows that are not words, or not well formed, are left
/// out, as are words with no visible character.
pub fn parse(tsv: &str) -> Vec<Word> {
    tsv.lines().skip(1).filter_map(word).collect()
}

fn word(row: &str) -> Option<Word> {
    let mut columns = row.splitn(12, '\t');
    let mut number = || columns.next()?.trim().parse::<i64>().ok();
    let level = number()?;
    let _page = number()?;
    let (block, paragraph, line) = (number()?, number()?, number()?);
    let _word = number()?;
    let (left, top, width, height) = (number()?, number()?, number()?, number()?);
    let confidence: f64 = columns.next()?.trim().parse().ok()?;
    let text = columns.next()?.trim();
    if level != 5 || text.is_empty() || confidence < 0.0 {
        return None;
    }
    let at = |v: i64| usize::try_from(v).ok();
    let (left, top) = (at(left)?, at(top)?);
    let id = |v: i64| u32::try_from(v).ok();
    Some(Word {
        line: (id(block)?, id(paragraph)?, id(line)?),
        bounds: Rect {
            left,
            top,
            right: left.checked_add(at(width)?)?,
            bottom: top.checked_add(at(height)?)?,
        },
        confidence,
        text: text.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_read_with_their_box_and_confidence_and_the_rest_is_skipped() {
        let tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
                   4\t1\t1\t1\t1\t0\t642\t69\t822\t25\t-1\t\n\
                   5\t1\t1\t1\t1\t1\t642\t79\t69\t15\t85.628632\tAlliance\n\
                   5\t1\t1\t1\t1\t2\t718\t78\t49\t15\t95\t \n\
                   5\t1\t1\t1\t1\t3\t-4\t78\t49\t15\t95\tbad\n\
                   garbage\n";
        let words = parse(tsv);
        assert_eq!(
            words,
            vec![Word {
                line: (1, 1, 1),
                bounds: Rect {
                    left: 642,
                    top: 79,
                    right: 711,
                    bottom: 94
                },
                confidence: 85.628632,
                text: "Alliance".to_owned(),
            }]
        );
    }
}
