//! Physical line numbers and quoting, followed as the bytes of a file stream to the csv reader.

// `cfg(fuzzing)` is set by `cargo fuzz` (fuzz/): it shrinks the line-end windows and checks them.
#![allow(unexpected_cfgs)]

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::Read;
use std::rc::Rc;

/// Physical line numbers. The csv crate's own `Position::line` miscounts CRLF files and blank lines
/// (and its record offset points at the previous record's line end), so line ends are recorded as the
/// bytes stream through and consumed as records are read.
///
/// Memory stays bounded however the line ends fall (hardening: a 500 MB quoted field of line breaks
/// used to cost 16 bytes per line break). Line ends are kept as runs of consecutive `\r`/`\n` bytes,
/// and runs far from any position a line can still be asked for are merged (see [`Self::compact`]).
#[derive(Default)]
pub(super) struct LineEndQueue {
    /// Runs of line-end bytes not yet passed, in order.
    pub(super) pending: VecDeque<LineEndRun>,
    /// Line breaks passed so far (those before the stream included).
    lines_before: u64,
    /// Bytes read from the source so far.
    next_offset: u64,
    /// `next_offset` when a line was last asked for.
    frontier: u64,
    /// `pending` is compacted when it grows to this length.
    compact_at: usize,
    /// Fuzzing only: the exact queue this one replaces, to check every line against.
    #[cfg(fuzzing)]
    shadow: ShadowQueue,
}

/// Consecutive line-end bytes `start..end` (or, once merged, the line ends within that span).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct LineEndRun {
    start: u64,
    end: u64,
    newlines: u64,
}

/// The csv reader's buffer: its default, 8 KiB. Tiny when fuzzing, with the windows below, so that
/// compaction happens on small inputs (and is checked against `ShadowQueue`).
pub(super) const CSV_BUFFER: usize = if cfg!(fuzzing) { 16 } else { 8 * 1024 };
/// Bytes the csv reader may have read but not yet parsed (its buffer), with a wide margin.
const LOOKAHEAD: u64 = if cfg!(fuzzing) { 64 } else { 64 * 1024 };
/// Smallest queue length worth compacting.
const MIN_COMPACT: usize = if cfg!(fuzzing) { 2 } else { 4096 };

/// Fuzzing only: every line end kept, as before compaction; `line_at` must agree with it.
#[cfg(fuzzing)]
#[derive(Default)]
struct ShadowQueue {
    pending: VecDeque<(u64, bool)>,
    lines_before: u64,
}

#[cfg(fuzzing)]
impl ShadowQueue {
    pub(super) fn line_at(&mut self, offset: u64) -> u64 {
        while let Some(&(at, is_newline)) = self.pending.front() {
            if at >= offset {
                break;
            }
            self.lines_before += u64::from(is_newline);
            self.pending.pop_front();
        }
        let mut line = self.lines_before;
        for (position, &(at, is_newline)) in (offset..).zip(&self.pending) {
            if at != position {
                break;
            }
            line += u64::from(is_newline);
        }
        line + 1
    }
}

impl LineEndQueue {
    /// A queue for a stream whose first byte is on `line`.
    pub(super) fn starting_at_line(line: u64) -> LineEndQueue {
        #[allow(unused_mut)]
        let mut queue = LineEndQueue { lines_before: line.saturating_sub(1), ..LineEndQueue::default() };
        #[cfg(fuzzing)]
        {
            queue.shadow.lines_before = queue.lines_before;
        }
        queue
    }

    /// The 1-based line of the first byte at or after `offset` that is not a line end.
    ///
    /// That is 1 + the `\n` bytes before `offset` + those in the run of line ends starting at
    /// `offset`; with maximal runs, 1 + the `\n` bytes of every run that starts at or before `offset`.
    pub(super) fn line_at(&mut self, offset: u64) -> u64 {
        while let Some(run) = self.pending.front() {
            if run.end > offset {
                break;
            }
            self.lines_before += run.newlines;
            self.pending.pop_front();
        }
        self.frontier = self.next_offset;
        let current = self.pending.front().filter(|run| run.start <= offset).map_or(0, |run| run.newlines);
        let line = self.lines_before + current + 1;
        #[cfg(fuzzing)]
        assert_eq!(line, self.shadow.line_at(offset), "line of offset {offset}");
        line
    }

    fn push(&mut self, at: u64, is_newline: bool) {
        #[cfg(fuzzing)]
        self.shadow.pending.push_back((at, is_newline));
        let newline = u64::from(is_newline);
        match self.pending.back_mut() {
            Some(run) if run.end == at => {
                run.end += 1;
                run.newlines += newline;
            }
            _ => self.pending.push_back(LineEndRun { start: at, end: at + 1, newlines: newline }),
        }
    }

    /// Merges the runs no line can be asked for in between of.
    ///
    /// Lines are asked for at the start of each record, in order. When the source is read, the csv
    /// reader has parsed everything read before except its buffer, so a record not yet returned
    /// either is the one being read, which started before `frontier` (everything up to the end of
    /// the last record returned had been read when its line was asked for), or starts within
    /// `LOOKAHEAD` of `next_offset`. Runs that start after `frontier + LOOKAHEAD` and end before
    /// `next_offset - LOOKAHEAD` are therefore either all counted or all not counted by every
    /// later question, and one run with their total answers the same.
    fn compact(&mut self) {
        if self.pending.len() < self.compact_at.max(MIN_COMPACT) {
            return;
        }
        let low = self.frontier.saturating_add(LOOKAHEAD);
        let high = self.next_offset.saturating_sub(LOOKAHEAD);
        let first = self.pending.iter().position(|run| run.start > low);
        let last = self.pending.iter().rposition(|run| run.end < high);
        if let (Some(first), Some(last)) = (first, last) {
            if first < last {
                let merged = LineEndRun {
                    start: self.pending[first].start,
                    end: self.pending[last].end,
                    newlines: self.pending.range(first..=last).map(|run| run.newlines).sum(),
                };
                self.pending.drain(first..=last);
                self.pending.insert(first, merged);
            }
        }
        // Amortised: the runs near both ends are bounded by the two windows, so the queue stays small.
        self.compact_at = self.pending.len() * 2;
    }
}

/// A quote that breaks the quoting rules: inside a value that did not start with a quote, or right
/// after a closing quote (`"ab"c`). The csv crate keeps such quotes as text without a word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct StrayQuote {
    /// The physical line of the quote.
    pub line: u64,
    /// The 0-based field of its record.
    pub field: usize,
    /// Offset of the quote in the stream the csv reader reads.
    pub offset: u64,
    /// Right after a closing quote rather than inside an unquoted value.
    pub after_closing: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum QuoteState {
    FieldStart,
    Unquoted,
    Quoted,
    /// A `"` inside a quoted value: the closing quote, or the first of `""`.
    QuoteInQuoted,
}

/// The quoting as the csv crate reads it (csv-core: quoting on, `""` inside quotes, no escape
/// character, `\r`, `\n` or `\r\n` ending a record), followed byte by byte to find what it accepts
/// silently: stray quotes, and a quoted value still open at the end of the file.
pub(super) struct Quotes {
    delimiter: u8,
    state: QuoteState,
    field: usize,
    /// The line where the quoted value being read opened.
    opened_line: u64,
    /// Stray quotes not yet matched to their record; only the first of each record is kept, so this
    /// stays as small as the csv reader's buffer whatever a file holds.
    pub stray: VecDeque<StrayQuote>,
    stray_in_record: bool,
}

impl Quotes {
    pub fn new(delimiter: u8) -> Quotes {
        Quotes {
            delimiter,
            state: QuoteState::FieldStart,
            field: 0,
            opened_line: 0,
            stray: VecDeque::new(),
            stray_in_record: false,
        }
    }

    /// The line where a quoted value opened that the end of the file left open.
    pub fn unclosed_at_end(&self) -> Option<u64> {
        (self.state == QuoteState::Quoted).then_some(self.opened_line)
    }

    /// The first stray quote before `offset` (the end of the record just read); earlier ones go too.
    pub fn take_before(&mut self, offset: u64) -> Option<StrayQuote> {
        let mut first = None;
        while let Some(stray) = self.stray.front().copied().filter(|stray| stray.offset < offset) {
            self.stray.pop_front();
            first = first.or(Some(stray));
        }
        first
    }

    fn stray_quote(&mut self, line: u64, offset: u64, after_closing: bool) {
        if !self.stray_in_record {
            self.stray_in_record = true;
            self.stray.push_back(StrayQuote { line, field: self.field, offset, after_closing });
        }
    }

    fn next_field(&mut self, byte: u8) {
        self.state = QuoteState::FieldStart;
        if byte == self.delimiter {
            self.field += 1;
        } else {
            self.field = 0;
            self.stray_in_record = false;
        }
    }

    fn byte(&mut self, byte: u8, line: u64, offset: u64) {
        let ends_field = byte == self.delimiter || byte == b'\n' || byte == b'\r';
        match self.state {
            QuoteState::FieldStart if byte == b'"' => {
                self.state = QuoteState::Quoted;
                self.opened_line = line;
            }
            QuoteState::FieldStart | QuoteState::Unquoted if ends_field => self.next_field(byte),
            QuoteState::FieldStart | QuoteState::Unquoted => {
                self.state = QuoteState::Unquoted;
                if byte == b'"' {
                    self.stray_quote(line, offset, false);
                }
            }
            QuoteState::Quoted if byte == b'"' => self.state = QuoteState::QuoteInQuoted,
            QuoteState::Quoted => {}
            QuoteState::QuoteInQuoted if byte == b'"' => self.state = QuoteState::Quoted,
            QuoteState::QuoteInQuoted if ends_field => self.next_field(byte),
            QuoteState::QuoteInQuoted => {
                self.state = QuoteState::Unquoted;
                self.stray_quote(line, offset - 1, true);
            }
        }
    }
}

/// A reader that records the offset of every line-end byte it passes on, and follows the quoting.
///
/// Line breaks are `\n`, `\r\n` and a lone `\r` (old Mac files, some exporters): each counts once.
pub(super) struct LineEnds {
    pub inner: Box<dyn Read>,
    pub queue: Rc<RefCell<LineEndQueue>>,
    pub quotes: Rc<RefCell<Quotes>>,
    /// The line of the next byte.
    pub line: u64,
    pub last_was_cr: bool,
}

impl Read for LineEnds {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut queue = self.queue.borrow_mut();
        let mut quotes = self.quotes.borrow_mut();
        let base = queue.next_offset;
        for (i, &byte) in buf[..n].iter().enumerate() {
            let offset = base + i as u64;
            quotes.byte(byte, self.line, offset);
            if byte == b'\n' || byte == b'\r' {
                let breaks = byte == b'\r' || !self.last_was_cr;
                queue.push(offset, breaks);
                self.line += u64::from(breaks);
            }
            self.last_was_cr = byte == b'\r';
        }
        queue.next_offset += n as u64;
        queue.compact();
        Ok(n)
    }
}
