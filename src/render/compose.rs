//! Page composition: where the pages of a flow break.
//!
//! [`super::layout`] measures blocks and places them top to bottom; this module decides the breaks:
//!
//! - **Keep with next.** A section title, a heading or a lead-in never ends a page: it moves to the
//!   next page unless the start of what follows fits with it — at least three lines of a paragraph
//!   (all of a short one), a table's header and first two rows, or the whole of a chart or card.
//!   Chains (a section title, a heading, a lead-in, a table) are kept together.
//! - **No empty half pages.** Paragraphs and tables split across pages (a table repeats its header
//!   row); a chart that does not fit the room left gives up to 15% of its height rather than move
//!   and leave the room empty ([`super::layout::SHRINK_FLOOR`]).
//! - **No tail page.** When the last page would hold only a few lines (the contact line of the
//!   recommendations), the report is poured again with charts slightly smaller; if that does not
//!   pull the tail up, the block before the tail moves down to it (the last two lines of a
//!   paragraph, or the whole block), so the last page never holds only a closing line.

use super::fonts::FontSet;
use super::tag::Role;
use super::layout::{
    decorate, line_height, measure, min_height, place, row_height, Block, Decorations, Flow, Frame, Laid, Page, GAP,
    SHRINK_FLOOR,
};

/// Lines of a paragraph a heading keeps with it.
pub const KEEP_LINES: usize = 3;
/// A last page whose content is at most this share of the page is a tail.
pub const TAIL_SHARE: f32 = 0.12;
/// Chart scales tried, in order, to pull a tail page up.
const SCALES: [f32; 3] = [1.0, 0.93, 0.86];

/// Lays `blocks` out on pages of `frame` and adds headers and footers.
pub fn layout<'f>(
    fonts: &'f FontSet,
    frame: Frame,
    blocks: Vec<Block<'_>>,
    decorations: &Decorations,
) -> Vec<Page<'f>> {
    let width = frame.content_width();
    let laid: Vec<Laid> = blocks.into_iter().map(|b| measure(fonts, b, width)).collect();
    // Breaks are decided on sketches (nothing drawn), then the flow kept is drawn once.
    let (sketch, _) = compose(&laid, || Flow::sketch(fonts, frame));
    let (scale, break_at) = (sketch.graphic_scale, sketch.break_at);
    drop(sketch);
    let mut flow = pour_into(Flow::new(fonts, frame), &laid, scale, break_at);
    decorate(&mut flow.pages, frame, decorations);
    flow.pages
}

/// Pours `laid` as the rules above decide: at each chart scale in turn until the last page is no
/// tail, else at full scale with the block before the tail moved down to it. `flow` makes the
/// empty flow of each pour. The flow kept (its `graphic_scale` and `break_at` say how it was
/// poured) and its number among the pours (0-based, in the order `flow` was called).
pub(super) fn compose<'f>(laid: &[Laid], mut flow: impl FnMut() -> Flow<'f>) -> (Flow<'f>, usize) {
    let mut chosen = None;
    let mut pours = 0;
    for scale in SCALES {
        let poured = pour_into(flow(), laid, scale, None);
        pours += 1;
        let tail = tail_start(&poured, laid);
        let first = chosen.is_none();
        if first || tail.is_none() {
            chosen = Some((poured, tail, pours - 1));
        }
        if tail.is_none() {
            break;
        }
    }
    let (mut kept, tail, mut number) = chosen.expect("at least one scale is tried");
    if let Some(first_on_last) = tail {
        // Move the block before the tail down to it.
        if let Some(at) = tail_break(laid, first_on_last) {
            kept = pour_into(flow(), laid, 1.0, Some(at));
            number = pours;
        }
    }
    (kept, number)
}

/// Places every block, breaking pages where the keep rules ask.
/// (A streamed flow hands its pages on as they fill: see [`super::stream`].)
pub(super) fn pour_into<'f>(
    mut flow: Flow<'f>,
    laid: &[Laid],
    scale: f32,
    break_at: Option<(usize, usize)>,
) -> Flow<'f> {
    let frame = flow.frame;
    flow.graphic_scale = scale;
    flow.break_at = break_at;
    let keeps: Vec<bool> = laid.iter().map(keeps_with_next).collect();
    // Structure (tagged PDF): every section title opens a Sect that lasts until the next one;
    // consecutive list items form one L.
    let mut in_section = false;
    let mut in_list = false;
    for (index, block) in laid.iter().enumerate() {
        flow.current = index;
        let item = matches!(block, Laid::Lines { label: Some(_), .. });
        if item != in_list {
            let canvas = &mut flow.page().canvas;
            if item {
                canvas.open_role(Role::L);
            } else {
                canvas.close();
            }
            in_list = item;
        }
        if let Laid::Whole { block: Block::Section { .. }, .. } = block {
            let canvas = &mut flow.page().canvas;
            if in_section {
                canvas.close();
            }
            canvas.open_role(Role::Sect);
            in_section = true;
        }
        // This block's smallest first piece, and with it the start of every block it keeps with.
        let needed = if keeps[index] { kept_height(laid, &keeps, index, scale) } else { first_piece(block, scale, false) };
        if needed > flow.room() && needed <= frame.content_height() && break_at != Some((index, 0)) {
            flow.break_page();
        }
        place(&mut flow, block);
    }
    if in_list {
        flow.page().canvas.close();
    }
    if in_section {
        flow.page().canvas.close();
    }
    flow
}

/// The height a keeping block (a heading) needs on its page: itself, the headings and lead-ins that
/// follow it, and then [`KEEP_LINES`] lines of text (across short paragraphs) or the first piece of
/// a table or chart.
fn kept_height(laid: &[Laid], keeps: &[bool], index: usize, scale: f32) -> f32 {
    let mut needed = full_height(&laid[index], scale);
    let mut lines_left = KEEP_LINES;
    for (next, block) in laid.iter().enumerate().skip(index + 1) {
        if keeps[next] {
            if matches!(block, Laid::Whole { block: Block::Section { .. }, .. }) {
                break;
            }
            needed += full_height(block, scale);
            continue;
        }
        match block {
            Laid::Lines { lines, style, leading, lead_in: false, bar: None, .. } => {
                // A paragraph never starts with fewer than two lines at the foot of a page.
                let take = lines.len().min(lines_left.max(2));
                needed += line_height(style, *leading) * take as f32 + GAP;
                lines_left = lines_left.saturating_sub(take);
                if lines_left == 0 {
                    break;
                }
            }
            other => {
                needed += first_piece(other, scale, true);
                break;
            }
        }
    }
    needed
}

/// Section titles, headings and lead-ins keep the start of the next block with them.
fn keeps_with_next(laid: &Laid) -> bool {
    matches!(
        laid,
        Laid::Whole { block: Block::Section { .. } | Block::Heading(_), .. } | Laid::Lines { lead_in: true, .. }
    )
}

/// The height of a block that moves whole (section titles, headings, lead-ins).
fn full_height(laid: &Laid, scale: f32) -> f32 {
    match laid {
        Laid::Lines { lines, style, leading, .. } => line_height(style, *leading) * lines.len() as f32 + GAP,
        _ => first_piece(laid, scale, false),
    }
}

/// The smallest first piece of a block that may end a page; `after_heading`: the piece a heading
/// keeps with it (three lines of a paragraph, a table's header and two rows).
fn first_piece(laid: &Laid, scale: f32, after_heading: bool) -> f32 {
    match laid {
        Laid::Lines { lines, style, leading, lead_in, bar, .. } if after_heading && !*lead_in && bar.is_none() => {
            line_height(style, *leading) * lines.len().min(KEEP_LINES) as f32 + GAP
        }
        Laid::Table { table, header, rows, .. } if after_heading => {
            let shown: f32 = rows.iter().take(2).map(|r| row_height(r, table.size)).sum();
            row_height(header, table.size - 0.5) + shown + GAP
        }
        Laid::Whole { height, block: Block::Graphic { .. } } => height * scale * SHRINK_FLOOR + GAP,
        other => min_height(other),
    }
}

/// The first block placed on the last page, when the last page is a tail: it holds only a few
/// lines' height, and the page before it exists.
fn tail_start(flow: &Flow, laid: &[Laid]) -> Option<usize> {
    let last = flow.page_count().checked_sub(1).filter(|&l| l > 0)?;
    let used = flow.frame.top() - flow.y - GAP;
    if used > flow.frame.content_height() * TAIL_SHARE {
        return None;
    }
    let first = flow.starts.iter().position(|&page| page == last)?;
    // Only whole blocks on the last page (not the end of a block begun before).
    (first > 0 && first < laid.len()).then_some(first)
}

/// Where to break so that the block before `first_on_last` goes down to the last page with it: the
/// last two lines of a paragraph of four or more, else the whole block (with the headings that
/// keep with it).
fn tail_break(laid: &[Laid], first_on_last: usize) -> Option<(usize, usize)> {
    let mut before = first_on_last.checked_sub(1)?;
    match &laid[before] {
        Laid::Lines { lines, lead_in: false, bar: None, .. } if lines.len() >= 4 => Some((before, lines.len() - 2)),
        Laid::Table { .. } => None,
        _ => {
            while before > 0 && keeps_with_next(&laid[before - 1]) {
                before -= 1;
            }
            Some((before, 0))
        }
    }
}
