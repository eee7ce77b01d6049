//! Bytes to UTF-8: the size limit on what is read from disk, and the encodings exports come in.
//!
//! UTF-8 (a byte-order mark is dropped) is passed through. UTF-16 little- or big-endian with its
//! byte-order mark — what Excel's "Unicode Text" writes — is decoded to UTF-8 as it streams, strictly:
//! an unpaired surrogate or an odd trailing byte is an error, never a replacement character.

use std::cell::Cell;
use std::io::{self, Read};
use std::rc::Rc;

/// The encoding found from a file's first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16Le,
    Utf16Be,
}

/// Marker inside the `io::Error` a decoder returns for input that is not UTF-16.
#[derive(Debug)]
pub struct InvalidUtf16;

impl std::fmt::Display for InvalidUtf16 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("not valid UTF-16")
    }
}

impl std::error::Error for InvalidUtf16 {}

/// Whether an I/O error is a decoder's [`InvalidUtf16`].
pub fn is_invalid_utf16(error: &io::Error) -> bool {
    error.get_ref().is_some_and(|inner| inner.is::<InvalidUtf16>())
}

/// Reads at most `limit` bytes from `inner`; one more is an error, and `over` is set to the limit.
pub struct Limited<R> {
    inner: R,
    left: u64,
    limit: u64,
    over: Rc<Cell<Option<u64>>>,
}

impl<R: Read> Limited<R> {
    pub fn new(inner: R, limit: u64, over: Rc<Cell<Option<u64>>>) -> Limited<R> {
        Limited { inner, left: limit, limit, over }
    }
}

impl<R: Read> Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // Ask for one byte more than is left, to notice a file that is over the limit.
        let room = usize::try_from(self.left.saturating_add(1)).unwrap_or(usize::MAX).min(buf.len());
        let n = self.inner.read(&mut buf[..room])?;
        if n as u64 > self.left {
            self.over.set(Some(self.limit));
            return Err(io::Error::other(format!("larger than the size limit of {} bytes", self.limit)));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

/// Looks at the first bytes of `inner` for a byte-order mark and returns the encoding with a reader
/// of UTF-8 text (without the mark).
pub fn decode(mut inner: Box<dyn Read>) -> io::Result<(Encoding, Box<dyn Read>)> {
    let mut head = [0u8; 3];
    let mut len = 0;
    while len < head.len() {
        match inner.read(&mut head[len..]) {
            Ok(0) => break,
            Ok(n) => len += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    let head = &head[..len];
    let rest = |skip: usize| io::Cursor::new(head[skip..].to_vec()).chain(inner);
    Ok(if head.starts_with(b"\xEF\xBB\xBF") {
        (Encoding::Utf8, Box::new(rest(3)))
    } else if head.starts_with(b"\xFF\xFE") {
        (Encoding::Utf16Le, Box::new(Utf16::new(rest(2), false)))
    } else if head.starts_with(b"\xFE\xFF") {
        (Encoding::Utf16Be, Box::new(Utf16::new(rest(2), true)))
    } else {
        (Encoding::Utf8, Box::new(rest(0)))
    })
}

/// Streams UTF-16 code units from `inner` out as UTF-8.
struct Utf16<R> {
    inner: R,
    big_endian: bool,
    /// A byte of a code unit whose other byte has not arrived yet.
    odd_byte: Option<u8>,
    /// A high surrogate waiting for its low half.
    high: Option<u16>,
    /// Decoded UTF-8 not yet handed out, from `out_pos`.
    out: Vec<u8>,
    out_pos: usize,
    raw: Vec<u8>,
    done: bool,
    /// An error found after some text of the same chunk: reported once that text is read.
    deferred: Option<io::Error>,
}

impl<R: Read> Utf16<R> {
    fn new(inner: R, big_endian: bool) -> Utf16<R> {
        Utf16 {
            inner,
            big_endian,
            odd_byte: None,
            high: None,
            out: Vec::new(),
            out_pos: 0,
            raw: vec![0; 8 * 1024],
            done: false,
            deferred: None,
        }
    }

    fn invalid() -> io::Error {
        io::Error::new(io::ErrorKind::InvalidData, InvalidUtf16)
    }

    fn push_unit(&mut self, unit: u16) -> io::Result<()> {
        let code = match (self.high.take(), unit) {
            (None, 0xD800..=0xDBFF) => {
                self.high = Some(unit);
                return Ok(());
            }
            (None, 0xDC00..=0xDFFF) => return Err(Utf16::<R>::invalid()),
            (None, _) => u32::from(unit),
            (Some(high), 0xDC00..=0xDFFF) => 0x10000 + ((u32::from(high) - 0xD800) << 10) + (u32::from(unit) - 0xDC00),
            (Some(_), _) => return Err(Utf16::<R>::invalid()),
        };
        let c = char::from_u32(code).ok_or_else(Utf16::<R>::invalid)?;
        let mut utf8 = [0u8; 4];
        self.out.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
        Ok(())
    }

    fn decode_chunk(&mut self, chunk: &[u8]) -> io::Result<()> {
        let mut bytes = chunk.iter().copied();
        while let Some(byte) = self.odd_byte.take().or_else(|| bytes.next()) {
            let Some(second) = bytes.next() else {
                self.odd_byte = Some(byte);
                break;
            };
            let unit = if self.big_endian { u16::from_be_bytes([byte, second]) } else { u16::from_le_bytes([byte, second]) };
            self.push_unit(unit)?;
        }
        Ok(())
    }

    /// Decodes the next chunk of `inner` into `out`; false at the end of the input.
    fn fill(&mut self) -> io::Result<bool> {
        self.out.clear();
        self.out_pos = 0;
        if let Some(error) = self.deferred.take() {
            self.done = true;
            return Err(error);
        }
        while self.out.is_empty() {
            if self.done {
                return Ok(false);
            }
            let n = loop {
                match self.inner.read(&mut self.raw) {
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    other => break other?,
                }
            };
            if n == 0 {
                self.done = true;
                if self.odd_byte.is_some() || self.high.is_some() {
                    return Err(Utf16::<R>::invalid());
                }
                return Ok(false);
            }
            let raw = std::mem::take(&mut self.raw);
            let result = self.decode_chunk(&raw[..n]);
            self.raw = raw;
            if let Err(error) = result {
                if self.out.is_empty() {
                    self.done = true;
                    return Err(error);
                }
                // Hand out the text before the bad bytes first, so the error comes at its line.
                self.deferred = Some(error);
            }
        }
        Ok(true)
    }
}

impl<R: Read> Read for Utf16<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.out_pos == self.out.len() && !self.fill()? {
            return Ok(0);
        }
        let n = buf.len().min(self.out.len() - self.out_pos);
        buf[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
        self.out_pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(bytes: Vec<u8>) -> (Encoding, io::Result<String>) {
        let (encoding, mut reader) = decode(Box::new(io::Cursor::new(bytes))).unwrap();
        let mut out = Vec::new();
        let result = reader.read_to_end(&mut out).map(|_| String::from_utf8(out).unwrap());
        (encoding, result)
    }

    fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
        let mut bytes = if big_endian { vec![0xFE, 0xFF] } else { vec![0xFF, 0xFE] };
        for unit in text.encode_utf16() {
            bytes.extend(if big_endian { unit.to_be_bytes() } else { unit.to_le_bytes() });
        }
        bytes
    }

    #[test]
    fn utf16_with_a_bom_is_decoded_in_both_byte_orders() {
        let text = "date\tmetric\tvalue\r\n2026-09-30\t時間 🚀\t1,5\r\n".repeat(2000);
        for big_endian in [false, true] {
            let (encoding, result) = decoded(utf16(&text, big_endian));
            assert_eq!(encoding, if big_endian { Encoding::Utf16Be } else { Encoding::Utf16Le });
            assert_eq!(result.unwrap(), text);
        }
    }

    #[test]
    fn utf8_passes_through_and_loses_its_bom() {
        let (encoding, result) = decoded(b"\xEF\xBB\xBFa,b\n".to_vec());
        assert_eq!((encoding, result.unwrap().as_str()), (Encoding::Utf8, "a,b\n"));
        assert_eq!(decoded(b"a".to_vec()).1.unwrap(), "a");
        assert_eq!(decoded(Vec::new()).1.unwrap(), "");
    }

    #[test]
    fn broken_utf16_is_an_error_not_a_replacement_character() {
        let mut lone_high = utf16("ab", false);
        lone_high.extend([0x3D, 0xD8, b'c', 0]);
        let mut odd = utf16("ab", false);
        odd.push(b'c');
        let mut lone_low = utf16("ab", true);
        lone_low.extend([0xDC, 0x00]);
        for bytes in [lone_high, odd, lone_low] {
            let error = decoded(bytes).1.unwrap_err();
            assert!(is_invalid_utf16(&error), "{error}");
        }
    }

    #[test]
    fn the_limit_counts_raw_bytes() {
        let over = Rc::new(Cell::new(None));
        let mut limited = Limited::new(io::Cursor::new(vec![b'x'; 11]), 10, over.clone());
        let mut out = Vec::new();
        assert!(limited.read_to_end(&mut out).is_err());
        assert_eq!(over.get(), Some(10));
        let over = Rc::new(Cell::new(None));
        let mut limited = Limited::new(io::Cursor::new(vec![b'x'; 10]), 10, over.clone());
        assert_eq!(limited.read_to_end(&mut Vec::new()).unwrap(), 10);
        assert_eq!(over.get(), None);
    }

}
