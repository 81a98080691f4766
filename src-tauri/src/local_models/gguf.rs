//! A bounded reader for the header of a GGUF file (versions 2 and 3): its
//! key-value metadata and its tensor list, never the weights. It reads from
//! any `Read + Seek`, keeps the scalar and string values, counts but skips
//! the big arrays (a vocabulary of 150,000 strings is skipped, not held),
//! and refuses a header that claims more than it could hold, so a damaged
//! or hostile file costs a few reads and gives an error, never a panic or a
//! huge allocation.
//!
//! The layout: "GGUF", u32 version, u64 tensor count, u64 key count; each
//! key is a u64-length UTF-8 string, a u32 value type and the value; each
//! tensor is a name, a u32 dimension count, u64 dimensions, a u32 ggml type
//! and a u64 offset into the data, which starts at the next multiple of
//! `general.alignment` (32 unless set).

use std::collections::BTreeMap;
use std::io::{Read, Seek, SeekFrom};

use super::ggml_types::type_block;

/// Longest key or kept string value (a chat template is a few KB; 1 MiB
/// is generous).
const MAX_STRING: u64 = 1 << 20;
/// More keys or tensors than any real model has.
const MAX_ITEMS: u64 = 1 << 20;
const MAX_DIMS: u32 = 8;

/// A metadata value as kept.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Int(i64),
    Float(f64),
    Bool(bool),
    Str(String),
    /// An array: only its element type and length are kept.
    Array {
        elem: u32,
        len: u64,
    },
}

/// One tensor's description.
#[derive(Debug, Clone, PartialEq)]
pub struct TensorInfo {
    pub name: String,
    pub dims: Vec<u64>,
    pub ggml_type: u32,
    pub offset: u64,
}

impl TensorInfo {
    pub fn elements(&self) -> u64 {
        self.dims.iter().fold(1u64, |a, d| a.saturating_mul(*d))
    }

    /// Bytes of data, when the type's block size is known.
    pub fn bytes(&self) -> Option<u64> {
        let (block, size) = type_block(self.ggml_type)?;
        Some(self.elements().div_ceil(block).saturating_mul(size))
    }
}

/// A parsed header.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    pub version: u32,
    pub kv: BTreeMap<String, Value>,
    pub tensors: Vec<TensorInfo>,
    /// Where the tensor data starts.
    pub data_start: u64,
}

impl Header {
    pub fn str(&self, key: &str) -> Option<&str> {
        match self.kv.get(key) {
            Some(Value::Str(s)) => Some(s),
            _ => None,
        }
    }

    pub fn int(&self, key: &str) -> Option<i64> {
        match self.kv.get(key) {
            Some(Value::Int(i)) => Some(*i),
            _ => None,
        }
    }

    /// The end of the last tensor's data, when every type is known: a file
    /// shorter than this is cut off.
    pub fn data_end(&self) -> Option<u64> {
        self.tensors.iter().try_fold(self.data_start, |end, t| {
            Some(
                end.max(
                    self.data_start
                        .saturating_add(t.offset)
                        .saturating_add(t.bytes()?),
                ),
            )
        })
    }
}

/// Why a file is not a GGUF header this reader accepts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GgufError {
    #[error("it is not a GGUF file")]
    NotGguf,
    #[error("it is GGUF version {0}, which Parley cannot read (it reads versions 2 and 3)")]
    Version(u32),
    #[error("its header is damaged ({0})")]
    Damaged(Damage),
    #[error("it could not be read: {0}")]
    Io(String),
}

/// How a header is damaged: its words, and the code the window words the
/// whole refusal by (`gguf_damaged_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Damage {
    EndsEarly,
    LengthTooLarge,
    StringTooLong,
    StringNotUtf8,
    UnknownValueType,
    UnknownArrayType,
    ArrayTooLong,
    TooManyEntries,
    TooManyDimensions,
    BadAlignment,
}

impl Damage {
    pub fn words(self) -> &'static str {
        match self {
            Self::EndsEarly => "it ends inside the header",
            Self::LengthTooLarge => "a length is too large",
            Self::StringTooLong => "a string is too long",
            Self::StringNotUtf8 => "a string is not UTF-8",
            Self::UnknownValueType => "a value has an unknown type",
            Self::UnknownArrayType => "an array has an unknown or nested type",
            Self::ArrayTooLong => "an array is too long",
            Self::TooManyEntries => "it claims too many entries",
            Self::TooManyDimensions => "a tensor has too many dimensions",
            Self::BadAlignment => "its alignment is not a power of two",
        }
    }

    /// The code of "Parley cannot use {path}: its header is damaged (...)."
    pub fn code(self) -> &'static str {
        match self {
            Self::EndsEarly => "gguf_damaged_ends_early",
            Self::LengthTooLarge => "gguf_damaged_length",
            Self::StringTooLong => "gguf_damaged_string_long",
            Self::StringNotUtf8 => "gguf_damaged_string_utf8",
            Self::UnknownValueType => "gguf_damaged_value_type",
            Self::UnknownArrayType => "gguf_damaged_array_type",
            Self::ArrayTooLong => "gguf_damaged_array_long",
            Self::TooManyEntries => "gguf_damaged_entries",
            Self::TooManyDimensions => "gguf_damaged_dimensions",
            Self::BadAlignment => "gguf_damaged_alignment",
        }
    }
}

impl std::fmt::Display for Damage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.words())
    }
}

fn io(e: std::io::Error) -> GgufError {
    if e.kind() == std::io::ErrorKind::UnexpectedEof {
        GgufError::Damaged(Damage::EndsEarly)
    } else {
        GgufError::Io(e.to_string())
    }
}

struct Cursor<R> {
    r: R,
}

impl<R: Read + Seek> Cursor<R> {
    fn bytes<const N: usize>(&mut self) -> Result<[u8; N], GgufError> {
        let mut b = [0u8; N];
        self.r.read_exact(&mut b).map_err(io)?;
        Ok(b)
    }
    fn u32(&mut self) -> Result<u32, GgufError> {
        Ok(u32::from_le_bytes(self.bytes()?))
    }
    fn u64(&mut self) -> Result<u64, GgufError> {
        Ok(u64::from_le_bytes(self.bytes()?))
    }
    fn skip(&mut self, n: u64) -> Result<(), GgufError> {
        let n = i64::try_from(n).map_err(|_| GgufError::Damaged(Damage::LengthTooLarge))?;
        self.r.seek(SeekFrom::Current(n)).map_err(io)?;
        Ok(())
    }
    fn string(&mut self) -> Result<String, GgufError> {
        let len = self.u64()?;
        if len > MAX_STRING {
            return Err(GgufError::Damaged(Damage::StringTooLong));
        }
        let mut b = vec![0u8; len as usize];
        self.r.read_exact(&mut b).map_err(io)?;
        String::from_utf8(b).map_err(|_| GgufError::Damaged(Damage::StringNotUtf8))
    }
    fn skip_string(&mut self) -> Result<(), GgufError> {
        let len = self.u64()?;
        self.skip(len)
    }

    fn value(&mut self, ty: u32) -> Result<Value, GgufError> {
        Ok(match ty {
            0 => Value::Int(i64::from(self.bytes::<1>()?[0])),
            1 => Value::Int(i64::from(i8::from_le_bytes(self.bytes()?))),
            2 => Value::Int(i64::from(u16::from_le_bytes(self.bytes()?))),
            3 => Value::Int(i64::from(i16::from_le_bytes(self.bytes()?))),
            4 => Value::Int(i64::from(self.u32()?)),
            5 => Value::Int(i64::from(i32::from_le_bytes(self.bytes()?))),
            6 => Value::Float(f64::from(f32::from_le_bytes(self.bytes()?))),
            7 => Value::Bool(self.bytes::<1>()?[0] != 0),
            8 => Value::Str(self.string()?),
            9 => {
                let elem = self.u32()?;
                let len = self.u64()?;
                self.skip_array(elem, len)?;
                Value::Array { elem, len }
            }
            10 => Value::Int(i64::try_from(self.u64()?).unwrap_or(i64::MAX)),
            11 => Value::Int(i64::from_le_bytes(self.bytes()?)),
            12 => Value::Float(f64::from_le_bytes(self.bytes()?)),
            _ => return Err(GgufError::Damaged(Damage::UnknownValueType)),
        })
    }

    fn skip_array(&mut self, elem: u32, len: u64) -> Result<(), GgufError> {
        let width = match elem {
            0 | 1 | 7 => 1,
            2 | 3 => 2,
            4..=6 => 4,
            10..=12 => 8,
            8 => {
                for _ in 0..len {
                    self.skip_string()?;
                }
                return Ok(());
            }
            _ => return Err(GgufError::Damaged(Damage::UnknownArrayType)),
        };
        self.skip(
            len.checked_mul(width)
                .ok_or(GgufError::Damaged(Damage::ArrayTooLong))?,
        )
    }
}

/// Reads a GGUF header.
pub fn read<R: Read + Seek>(r: R) -> Result<Header, GgufError> {
    let mut c = Cursor { r };
    let magic: [u8; 4] = c.bytes().map_err(|_| GgufError::NotGguf)?;
    if &magic != b"GGUF" {
        return Err(GgufError::NotGguf);
    }
    let version = c.u32()?;
    if !(2..=3).contains(&version) {
        return Err(GgufError::Version(version));
    }
    let n_tensors = c.u64()?;
    let n_kv = c.u64()?;
    if n_tensors > MAX_ITEMS || n_kv > MAX_ITEMS {
        return Err(GgufError::Damaged(Damage::TooManyEntries));
    }
    let mut kv = BTreeMap::new();
    for _ in 0..n_kv {
        let key = c.string()?;
        let ty = c.u32()?;
        let value = c.value(ty)?;
        kv.insert(key, value);
    }
    let mut tensors = Vec::new();
    for _ in 0..n_tensors {
        let name = c.string()?;
        let n_dims = c.u32()?;
        if n_dims > MAX_DIMS {
            return Err(GgufError::Damaged(Damage::TooManyDimensions));
        }
        let mut dims = Vec::with_capacity(n_dims as usize);
        for _ in 0..n_dims {
            dims.push(c.u64()?);
        }
        let ggml_type = c.u32()?;
        let offset = c.u64()?;
        tensors.push(TensorInfo {
            name,
            dims,
            ggml_type,
            offset,
        });
    }
    let alignment = match kv.get("general.alignment") {
        Some(Value::Int(a)) if *a > 0 && (*a as u64).is_power_of_two() => *a as u64,
        None => 32,
        Some(_) => return Err(GgufError::Damaged(Damage::BadAlignment)),
    };
    let here = c.r.stream_position().map_err(io)?;
    Ok(Header {
        version,
        kv,
        tensors,
        data_start: here.div_ceil(alignment) * alignment,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kv_str(out: &mut Vec<u8>, key: &str, value: &str) {
        out.extend((key.len() as u64).to_le_bytes());
        out.extend(key.as_bytes());
        out.extend(8u32.to_le_bytes());
        out.extend((value.len() as u64).to_le_bytes());
        out.extend(value.as_bytes());
    }

    fn header(n_tensors: u64, n_kv: u64) -> Vec<u8> {
        let mut out = b"GGUF".to_vec();
        out.extend(3u32.to_le_bytes());
        out.extend(n_tensors.to_le_bytes());
        out.extend(n_kv.to_le_bytes());
        out
    }

    #[test]
    fn reads_strings_and_skips_arrays_and_finds_where_data_starts() {
        let mut f = header(1, 2);
        kv_str(&mut f, "general.architecture", "llama");
        let key = "tokenizer.ggml.tokens";
        f.extend((key.len() as u64).to_le_bytes());
        f.extend(key.as_bytes());
        f.extend(9u32.to_le_bytes());
        f.extend(8u32.to_le_bytes());
        f.extend(2u64.to_le_bytes());
        for s in ["a", "bc"] {
            f.extend((s.len() as u64).to_le_bytes());
            f.extend(s.as_bytes());
        }
        let name = "w";
        f.extend((name.len() as u64).to_le_bytes());
        f.extend(name.as_bytes());
        f.extend(2u32.to_le_bytes());
        f.extend(4u64.to_le_bytes());
        f.extend(3u64.to_le_bytes());
        f.extend(0u32.to_le_bytes());
        f.extend(0u64.to_le_bytes());
        let h = read(std::io::Cursor::new(&f)).unwrap();
        assert_eq!(h.str("general.architecture"), Some("llama"));
        assert_eq!(h.kv[key], Value::Array { elem: 8, len: 2 });
        assert_eq!(h.tensors[0].elements(), 12);
        assert_eq!(h.data_start % 32, 0);
        assert!(h.data_start >= f.len() as u64);
        assert_eq!(h.data_end(), Some(h.data_start + 48));
    }

    #[test]
    fn refuses_what_is_not_a_header_it_can_read() {
        assert_eq!(
            read(std::io::Cursor::new(b"hello")),
            Err(GgufError::NotGguf)
        );
        let mut v1 = b"GGUF".to_vec();
        v1.extend(1u32.to_le_bytes());
        assert_eq!(read(std::io::Cursor::new(&v1)), Err(GgufError::Version(1)));
        let huge = header(u64::MAX, 0);
        assert!(matches!(
            read(std::io::Cursor::new(&huge)),
            Err(GgufError::Damaged(_))
        ));
        let mut cut = header(0, 1);
        kv_str(&mut cut, "general.name", "tiny");
        cut.truncate(cut.len() - 2);
        assert!(matches!(
            read(std::io::Cursor::new(&cut)),
            Err(GgufError::Damaged(_))
        ));
        let mut long = header(0, 1);
        long.extend(u64::MAX.to_le_bytes());
        assert!(matches!(
            read(std::io::Cursor::new(&long)),
            Err(GgufError::Damaged(_))
        ));
    }
}
