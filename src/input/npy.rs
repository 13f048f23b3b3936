//! One-dimensional NumPy `.npy` columns: the header is parsed by `npyz`; the
//! data are read in blocks at any row offset (positioned reads, so several
//! threads can share a file) and decoded without per-row allocation. A
//! column may also be a buffer in memory ([`NpyColumn::in_memory`]: the
//! Python package lends NumPy's and Arrow's buffers without a copy).

use super::values::format_number;
use crate::error::{Error, Result};
use npyz::{Endianness, TypeChar};
use std::fs::File;
use std::io::Seek;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A column's element bytes held in memory, shared and read-only.
pub type Memory = Arc<dyn AsRef<[u8]> + Send + Sync>;

/// Where a column's bytes are.
enum Storage {
    /// A `.npy` file, read at positions.
    File(File),
    /// Element bytes in memory (no header).
    Memory(Memory),
}

impl std::fmt::Debug for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Storage::File(file) => file.fmt(f),
            Storage::Memory(m) => write!(f, "Memory({} bytes)", (**m).as_ref().len()),
        }
    }
}

/// Longest header accepted (NumPy's own reader refuses longer ones by default).
const MAX_HEADER: usize = 10_000;

/// Deepest nesting of brackets accepted in a header: a plain
/// one-dimensional array's is 2 (`{… 'shape': (8,), }`).
const MAX_NESTING: usize = 4;

/// Checks what `npyz`'s header parser would be slow on before it sees it:
/// the header's length, and its nesting (the parser backtracks, in time
/// exponential in the depth of `[[[…`). Other faults are left to `npyz`.
fn check_header(file: &mut File) -> std::result::Result<(), String> {
    use std::io::Read;
    let mut start = [0u8; 12];
    let n = file.take(12).read(&mut start).map_err(|e| e.to_string())?;
    if n < 10 || &start[..6] != b"\x93NUMPY" {
        return Ok(());
    }
    let (len, at) = match start[6] {
        1 => (u16::from_le_bytes([start[8], start[9]]) as usize, 10),
        _ if n == 12 => (
            u32::from_le_bytes([start[8], start[9], start[10], start[11]]) as usize,
            12,
        ),
        _ => return Ok(()),
    };
    if len > MAX_HEADER {
        return Err(format!(
            "a header of {len} bytes, more than the {MAX_HEADER} a plain column needs"
        ));
    }
    let mut text = vec![0u8; len];
    file.seek(std::io::SeekFrom::Start(at))
        .map_err(|e| e.to_string())?;
    let got = file
        .take(len as u64)
        .read(&mut text)
        .map_err(|e| e.to_string())?;
    let (mut depth, mut deepest) = (0usize, 0usize);
    for &b in &text[..got] {
        match b {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        deepest = deepest.max(depth);
    }
    if deepest > MAX_NESTING {
        return Err(format!(
            "a header nested {deepest} brackets deep: a plain one-dimensional array's is 2"
        ));
    }
    Ok(())
}

/// What one element of a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// IEEE floats of 4 or 8 bytes.
    Float,
    /// Signed integers of 1, 2, 4 or 8 bytes.
    Int,
    /// Unsigned integers of 1, 2, 4 or 8 bytes.
    Uint,
    /// Booleans, one byte each.
    Bool,
    /// `S<n>`: bytes, NUL-padded.
    Bytes,
    /// `U<n>`: UTF-32 code points, NUL-padded.
    Unicode,
}

/// An open `.npy` column.
#[derive(Debug)]
pub struct NpyColumn {
    /// The `.npy` file.
    pub path: PathBuf,
    /// Number of elements (rows).
    pub len: u64,
    /// What each element holds.
    pub kind: Kind,
    /// Bytes per element.
    pub width: usize,
    big_endian: bool,
    offset: u64,
    storage: Storage,
}

/// The kind, width and byte order of a NumPy type string; `Err` says why
/// it is not a plain column's.
fn element(ts: &npyz::TypeStr) -> std::result::Result<(Kind, usize, bool), String> {
    let kind = match ts.type_char() {
        TypeChar::Float if matches!(ts.size_field(), 4 | 8) => Kind::Float,
        TypeChar::Int if matches!(ts.size_field(), 1 | 2 | 4 | 8) => Kind::Int,
        TypeChar::Uint if matches!(ts.size_field(), 1 | 2 | 4 | 8) => Kind::Uint,
        TypeChar::Bool => Kind::Bool,
        TypeChar::ByteStr => Kind::Bytes,
        TypeChar::UnicodeStr => Kind::Unicode,
        _ => return Err(format!("unsupported dtype {ts}")),
    };
    let width = ts
        .num_bytes()
        .ok_or_else(|| format!("unsupported dtype {ts}"))?;
    if width == 0 {
        // Such a header claims any number of rows with no data behind them.
        return Err(format!(
            "unsupported dtype {ts}: elements of 0 bytes hold no value"
        ));
    }
    Ok((kind, width, ts.endianness() == Endianness::Big))
}

impl NpyColumn {
    /// Opens a column; only plain one-dimensional arrays of numbers, booleans
    /// or fixed-width strings are accepted.
    pub fn open(path: &Path) -> Result<NpyColumn> {
        let io = |e| Error::io(path, e);
        let mut file = File::open(path).map_err(io)?;
        let bad = |why: String| Error::data(path.display().to_string(), why);
        check_header(&mut file).map_err(bad)?;
        file.rewind().map_err(io)?;
        let header = npyz::NpyHeader::from_reader(&mut file).map_err(io)?;
        let npyz::DType::Plain(ts) = header.dtype() else {
            return Err(bad("structured arrays are not supported".into()));
        };
        if header.shape().len() != 1 {
            return Err(bad(format!(
                "expected a one-dimensional array, found shape {:?}",
                header.shape()
            )));
        }
        let (kind, width, big_endian) = element(&ts).map_err(bad)?;
        let offset = file.stream_position().map_err(io)?;
        let len = header.shape()[0];
        let size = file.metadata().map_err(io)?.len();
        let need = len.checked_mul(width as u64);
        if need
            .and_then(|n| n.checked_add(offset))
            .is_none_or(|end| size < end)
        {
            return Err(bad(format!(
                "truncated: {len} elements of {width} bytes need {} bytes of data, the file has {}",
                need.map_or("more than 2^64".into(), |n| n.to_string()),
                size.saturating_sub(offset)
            )));
        }
        Ok(NpyColumn {
            path: path.to_path_buf(),
            len,
            kind,
            width,
            big_endian,
            offset,
            storage: Storage::File(file),
        })
    }

    /// A column in memory: `data` holds its elements of NumPy type `descr`
    /// (`<f8`, `|u1`, `|b1`, …) back to back; `path` names it in messages.
    pub fn in_memory(path: PathBuf, descr: &str, data: Memory) -> Result<NpyColumn> {
        let bad = |why: String| Error::data(path.display().to_string(), why);
        let ts: npyz::TypeStr = descr
            .parse()
            .map_err(|e| bad(format!("dtype {descr:?}: {e}")))?;
        let (kind, width, big_endian) = element(&ts).map_err(bad)?;
        let bytes = (*data).as_ref().len();
        if bytes % width != 0 {
            return Err(bad(format!(
                "{bytes} bytes are not a whole number of {width}-byte elements"
            )));
        }
        Ok(NpyColumn {
            len: (bytes / width) as u64,
            path,
            kind,
            width,
            big_endian,
            offset: 0,
            storage: Storage::Memory(data),
        })
    }

    /// The size and SHA-256 of the column: of its file, or of its bytes in memory.
    pub fn digest(&self) -> Result<(u64, String)> {
        match &self.storage {
            Storage::File(_) => super::columnar::hash_files(std::slice::from_ref(&self.path)),
            Storage::Memory(m) => Ok(super::columnar::hash_bytes(std::slice::from_ref(m))),
        }
    }

    /// The column's name: the file name without `.npy` (in memory: the last
    /// part of its path, whole).
    pub fn name(&self) -> String {
        let part = match self.storage {
            Storage::File(_) => self.path.file_stem(),
            Storage::Memory(_) => self.path.file_name(),
        };
        part.map_or_else(String::new, |s| s.to_string_lossy().into_owned())
    }

    /// Bytes of the file (header included).
    pub fn file_bytes(&self) -> u64 {
        self.offset + self.len * self.width as u64
    }

    /// Reads rows `start..start + rows` as raw bytes into `buf`.
    pub fn read_raw(&self, start: u64, rows: usize, buf: &mut Vec<u8>) -> Result<()> {
        buf.resize(rows * self.width, 0);
        let at = self.offset + start * self.width as u64;
        match &self.storage {
            Storage::File(file) => file
                .read_exact_at(buf, at)
                .map_err(|e| Error::io(&self.path, e)),
            Storage::Memory(m) => {
                let data = (**m).as_ref();
                let from = usize::try_from(at)
                    .ok()
                    .filter(|&a| a + buf.len() <= data.len());
                let from = from.ok_or_else(|| {
                    Error::data(
                        self.path.display().to_string(),
                        "a read past the column's end",
                    )
                })?;
                let n = buf.len();
                buf.copy_from_slice(&data[from..from + n]);
                Ok(())
            }
        }
    }

    /// Calls `f` with each element of `raw` as an f64 (numbers and booleans;
    /// nothing for strings). The dtype is matched once per call.
    #[inline]
    fn each(&self, raw: &[u8], mut f: impl FnMut(f64)) {
        macro_rules! all {
            ($t:ty) => {
                for b in raw.chunks_exact(self.width) {
                    let a = b.try_into().expect("element width");
                    f((if self.big_endian {
                        <$t>::from_be_bytes(a)
                    } else {
                        <$t>::from_le_bytes(a)
                    }) as f64)
                }
            };
        }
        match (self.kind, self.width) {
            (Kind::Float, 4) => all!(f32),
            (Kind::Float, _) => all!(f64),
            (Kind::Int, 1) => all!(i8),
            (Kind::Int, 2) => all!(i16),
            (Kind::Int, 4) => all!(i32),
            (Kind::Int, _) => all!(i64),
            (Kind::Uint, 1) | (Kind::Bool, _) => raw.iter().for_each(|&b| f(b as f64)),
            (Kind::Uint, 2) => all!(u16),
            (Kind::Uint, 4) => all!(u32),
            (Kind::Uint, _) => all!(u64),
            (Kind::Bytes | Kind::Unicode, _) => {}
        }
    }

    /// Calls `f` with each element of `raw` as an f64, in order (numbers and
    /// booleans; nothing for strings): [`Self::decode`] without the buffer,
    /// for loops that use each value once.
    #[inline]
    pub fn for_each_number(&self, raw: &[u8], f: impl FnMut(f64)) {
        self.each(raw, f)
    }

    /// Decodes a block of numbers (or booleans) into `out`, one f64 each.
    pub fn decode(&self, raw: &[u8], out: &mut Vec<f64>) {
        out.clear();
        out.reserve(raw.len() / self.width.max(1));
        self.each(raw, |x| out.push(x));
    }

    /// Maps a block of numbers through `f` into `out` (`u32::MAX` where `f`
    /// gives `None`); one-byte columns go through a 256-entry table.
    pub fn digits(
        &self,
        raw: &[u8],
        f: &impl Fn(f64) -> Option<u32>,
        numbers: &mut Vec<f64>,
        out: &mut Vec<u32>,
    ) {
        out.clear();
        let of = |x: f64| f(x).unwrap_or(u32::MAX);
        if self.width == 1 {
            let table: Vec<u32> = (0..=255u8)
                .map(|b| of(self.number(&[b], 0).expect("a number")))
                .collect();
            out.extend(raw.iter().map(|&b| table[b as usize]));
        } else {
            self.decode(raw, numbers);
            out.extend(numbers.iter().map(|&x| of(x)));
        }
    }

    /// A block of integers (or booleans as 0/1) exactly, 8-byte ones from
    /// their bytes; `None` for other kinds or an unsigned value beyond `i64`.
    pub fn integers(&self, raw: &[u8]) -> Option<Vec<i64>> {
        match (self.kind, self.width) {
            (Kind::Int, 8) => Some(
                raw.chunks_exact(8)
                    .map(|b| self.int8(b, i64::from_le_bytes, i64::from_be_bytes))
                    .collect(),
            ),
            (Kind::Uint, 8) => raw
                .chunks_exact(8)
                .map(|b| i64::try_from(self.int8(b, u64::from_le_bytes, u64::from_be_bytes)).ok())
                .collect(),
            (Kind::Int | Kind::Uint | Kind::Bool, _) => {
                let mut out = Vec::with_capacity(raw.len() / self.width);
                self.each(raw, |x| out.push(x as i64));
                Some(out)
            }
            _ => None,
        }
    }

    /// The number in row `row` (one positioned read; for messages).
    pub fn value_at(&self, row: u64) -> Result<f64> {
        let mut raw = Vec::new();
        self.read_raw(row, 1, &mut raw)?;
        Ok(self.number(&raw, 0).unwrap_or(f64::NAN))
    }

    /// Element `i` of `raw` as an f64 (`None` for strings).
    pub fn number(&self, raw: &[u8], i: usize) -> Option<f64> {
        let mut v = None;
        self.each(&raw[i * self.width..(i + 1) * self.width], |x| v = Some(x));
        v
    }

    /// An 8-byte integer from its bytes, in the file's byte order.
    fn int8<T>(&self, b: &[u8], le: fn([u8; 8]) -> T, be: fn([u8; 8]) -> T) -> T {
        let a = b.try_into().expect("8 bytes");
        if self.big_endian {
            be(a)
        } else {
            le(a)
        }
    }

    /// Element `i` of `raw` as text, appended to `out`: numbers in their
    /// shortest round-trip form, booleans as 0/1, strings without padding.
    pub fn text(&self, raw: &[u8], i: usize, out: &mut Vec<u8>) {
        let b = &raw[i * self.width..(i + 1) * self.width];
        match self.kind {
            Kind::Bytes => {
                let end = b.iter().rposition(|&c| c != 0).map_or(0, |p| p + 1);
                out.extend_from_slice(&b[..end]);
            }
            Kind::Unicode => {
                for c in b.chunks_exact(4) {
                    let a = c.try_into().expect("4 bytes");
                    let u = if self.big_endian {
                        u32::from_be_bytes(a)
                    } else {
                        u32::from_le_bytes(a)
                    };
                    if u == 0 {
                        break;
                    }
                    let ch = char::from_u32(u).unwrap_or(char::REPLACEMENT_CHARACTER);
                    out.extend_from_slice(ch.encode_utf8(&mut [0; 4]).as_bytes());
                }
            }
            Kind::Float => format_number(self.number(raw, i).expect("a number"), out),
            Kind::Int | Kind::Uint | Kind::Bool => {
                // 8-byte integers from their bytes (an f64 holds only 53 bits).
                let b = &raw[i * self.width..(i + 1) * self.width];
                let mut buf = itoa::Buffer::new();
                let text = match (self.kind, self.width) {
                    (Kind::Int, 8) => {
                        buf.format(self.int8(b, i64::from_le_bytes, i64::from_be_bytes))
                    }
                    (Kind::Uint, 8) => {
                        buf.format(self.int8(b, u64::from_le_bytes, u64::from_be_bytes))
                    }
                    _ => buf.format(self.number(raw, i).expect("a number") as i64),
                };
                out.extend_from_slice(text.as_bytes());
            }
        }
    }
}

/// Writes a one-dimensional little-endian `.npy` file (format 1.0) from
/// raw element bytes; `descr` is the NumPy type string (`<f8`, `|u1`, …).
/// For tests and tools that make inputs.
pub fn write_npy(path: &Path, descr: &str, len: usize, data: &[u8]) -> std::io::Result<()> {
    let dict = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': ({len},), }}");
    let mut header = dict.into_bytes();
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(b' ');
    }
    header.push(b'\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(&header);
    out.extend_from_slice(data);
    std::fs::write(path, out)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn write_npy(path: &Path, descr: &str, len: usize, data: &[u8]) {
        super::write_npy(path, descr, len, data).unwrap()
    }

    #[test]
    fn reads_numbers_booleans_and_strings() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("f.npy");
        let data: Vec<u8> = [0.5f32, -2.25]
            .iter()
            .flat_map(|x| x.to_le_bytes())
            .collect();
        write_npy(&f, "<f4", 2, &data);
        let c = NpyColumn::open(&f).unwrap();
        assert_eq!((c.len, c.kind, c.width), (2, Kind::Float, 4));
        let mut raw = Vec::new();
        c.read_raw(1, 1, &mut raw).unwrap();
        assert_eq!(c.number(&raw, 0), Some(-2.25));
        let u = dir.path().join("u.npy");
        let mut data = Vec::new();
        for s in ["ab", "é"] {
            let mut cs: Vec<u32> = s.chars().map(|c| c as u32).collect();
            cs.resize(2, 0);
            data.extend(cs.iter().flat_map(|c| c.to_le_bytes()));
        }
        write_npy(&u, "<U2", 2, &data);
        let c = NpyColumn::open(&u).unwrap();
        c.read_raw(0, 2, &mut raw).unwrap();
        let mut text = Vec::new();
        c.text(&raw, 1, &mut text);
        assert_eq!(text, "é".as_bytes());
        let i = dir.path().join("i.npy");
        write_npy(&i, ">i2", 1, &(-3i16).to_be_bytes());
        let c = NpyColumn::open(&i).unwrap();
        c.read_raw(0, 1, &mut raw).unwrap();
        assert_eq!(c.number(&raw, 0), Some(-3.0));
        let t = dir.path().join("t.npy");
        write_npy(&t, "<f8", 3, &[0u8; 16]);
        let e = NpyColumn::open(&t).unwrap_err().to_string();
        assert!(e.contains("truncated"), "{e}");
    }

    #[test]
    fn a_header_whose_size_overflows_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("huge.npy");
        write_npy(&f, "<f8", 1 << 61, &[]);
        let e = NpyColumn::open(&f).unwrap_err().to_string();
        assert!(
            e.ends_with("huge.npy: truncated: 2305843009213693952 elements of 8 bytes need more than 2^64 bytes of data, the file has 0"),
            "{e}"
        );
    }
}
