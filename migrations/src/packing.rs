//! The packed-text format of the columns that hold JSON compressed (evaluation documents,
//! history entries and the change feed's snapshots): one tag byte, the text's length (4 bytes,
//! little-endian) and the compressed text. Bytes without a tag are plain UTF-8 text (a row
//! written before packing). The service reads and writes the columns through it
//! (`store::packed`), and the migrations that introduced each format pack and unpack the rows
//! already there.
//!
//! Two formats, told apart by the tag:
//! - [`LZ4`]: an LZ4 block (migration `…000060`).
//! - [`ZSTD`]: a zstd frame compressed with [`DICTIONARY`] (migration `…000090`), what
//!   [`pack`] writes. The dictionary holds the keys, vocabularies and finding texts that every
//!   document repeats, so that a document starts compressed rather than learning them anew:
//!   a feed snapshot of 600 bytes packs to about a sixth, where LZ4 alone kept five sixths.
//!
//! A dictionary, once used, never changes: rows written with it must read for ever. A better
//! one would take a new tag, and this one would stay to read the old rows.

use std::cell::RefCell;
use std::sync::LazyLock;

/// Marks an LZ4-packed value (JSON text never starts with a NUL byte).
pub const LZ4: u8 = 0;

/// Marks a value packed by zstd with [`DICTIONARY`] (nor does JSON text start with 0x01).
pub const ZSTD: u8 = 1;

/// The longest text a value may unpack to: a damaged length cannot make a read allocate more.
pub const MAX_TEXT: usize = 64 << 20;

/// zstd's level for [`pack`]: 3 packs a 19 KB document in about 50 µs; higher levels pack
/// a tenth smaller at ten times the time, on every write.
const LEVEL: i32 = 3;

/// The dictionary of [`ZSTD`] values: trained by `scripts/train-dictionary.py` on the
/// documents, history entries and feed snapshots of the real published tables of
/// `tests/fixtures/real` and the seed report (not on the benchmark's generated data).
pub static DICTIONARY: &[u8] = include_bytes!("packing.dict");

static ENCODER: LazyLock<zstd::dict::EncoderDictionary<'static>> =
    LazyLock::new(|| zstd::dict::EncoderDictionary::copy(DICTIONARY, LEVEL));

static DECODER: LazyLock<zstd::dict::DecoderDictionary<'static>> =
    LazyLock::new(|| zstd::dict::DecoderDictionary::copy(DICTIONARY));

thread_local! {
    /// A compression context per thread, with the dictionary loaded once.
    static COMPRESSOR: RefCell<Option<zstd::bulk::Compressor<'static>>> =
        RefCell::new(compressor());
    static DECOMPRESSOR: RefCell<Option<zstd::bulk::Decompressor<'static>>> =
        RefCell::new(zstd::bulk::Decompressor::with_prepared_dictionary(&DECODER).ok());
}

/// A compression context that uses the prepared dictionary in place (attached) rather than
/// copying its tables into the context for every value, which zstd does by default for
/// values over a few kilobytes (the documents).
fn compressor() -> Option<zstd::bulk::Compressor<'static>> {
    use zstd::zstd_safe::{CParameter, DictAttachPref};
    let mut c = zstd::bulk::Compressor::with_prepared_dictionary(&ENCODER).ok()?;
    c.set_parameter(CParameter::ForceAttachDict(DictAttachPref::ForceAttach))
        .ok()?;
    Some(c)
}

/// Packs `text` in the current format ([`ZSTD`]; [`LZ4`] should zstd fail, which it does only
/// when it cannot allocate).
pub fn pack(text: &str) -> Vec<u8> {
    let packed = COMPRESSOR.with(|c| {
        let mut c = c.borrow_mut();
        let c = c.as_mut()?;
        c.compress(text.as_bytes()).ok()
    });
    match packed {
        Some(frame) => framed(ZSTD, text, &frame),
        None => pack_lz4(text),
    }
}

/// Packs `text` as an LZ4 block ([`LZ4`]), the format before [`ZSTD`].
pub fn pack_lz4(text: &str) -> Vec<u8> {
    framed(LZ4, text, &lz4_flex::block::compress(text.as_bytes()))
}

fn framed(tag: u8, text: &str, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(5 + body.len());
    out.push(tag);
    // Texts over 4 GiB never reach the store (request bodies are bounded far below).
    let len = u32::try_from(text.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(body);
    out
}

/// The format of `bytes`: [`LZ4`], [`ZSTD`], or `None` for plain text.
pub fn format(bytes: &[u8]) -> Option<u8> {
    bytes.first().copied().filter(|&t| t == LZ4 || t == ZSTD)
}

/// Whether `bytes` are packed, in either format (rather than plain text).
pub fn is_packed(bytes: &[u8]) -> bool {
    format(bytes).is_some()
}

/// The text of packed (either format) or plain `bytes`.
pub fn unpack(bytes: Vec<u8>) -> Result<String, String> {
    let text = match bytes.split_first() {
        Some((&tag, rest)) if tag == LZ4 || tag == ZSTD => {
            let (len, body) = rest
                .split_first_chunk::<4>()
                .ok_or("a packed value shorter than its header")?;
            let len = u32::from_le_bytes(*len) as usize;
            if len > MAX_TEXT {
                return Err(format!("a packed value claims {len} bytes of text"));
            }
            if tag == LZ4 {
                lz4_flex::block::decompress(body, len).map_err(|e| e.to_string())?
            } else {
                unzstd(body, len)?
            }
        }
        _ => bytes,
    };
    String::from_utf8(text).map_err(|e| format!("a packed value is not UTF-8: {e}"))
}

/// The `len` bytes a zstd frame holds; fewer or more are an error.
fn unzstd(frame: &[u8], len: usize) -> Result<Vec<u8>, String> {
    let text = DECOMPRESSOR.with(|d| {
        let mut d = d.borrow_mut();
        let d = d
            .as_mut()
            .ok_or("no zstd decompression context could be made")?;
        d.decompress(frame, len).map_err(|e| e.to_string())
    })?;
    if text.len() != len {
        return Err(format!(
            "a packed value holds {} bytes of text where its header says {len}",
            text.len()
        ));
    }
    Ok(text)
}
