//! The packed-text format of the columns that hold JSON compressed (the evaluation documents
//! and history entries): one tag byte, the text's length (4 bytes, little-endian) and an LZ4
//! block. Bytes without the tag are plain UTF-8 text (a row written before packing). The
//! service reads and writes the columns through it (`store::packed`), and the migration that
//! introduced it packs and unpacks the rows already there.

/// Marks a packed value (JSON text never starts with a NUL byte).
pub const TAG: u8 = 0;

/// The longest text a value may unpack to: a damaged length cannot make a read allocate more.
pub const MAX_TEXT: usize = 64 << 20;

/// Packs `text`.
pub fn pack(text: &str) -> Vec<u8> {
    let text = text.as_bytes();
    let mut out = Vec::with_capacity(5 + lz4_flex::block::get_maximum_output_size(text.len()));
    out.push(TAG);
    // Texts over 4 GiB never reach the store (request bodies are bounded far below).
    let len = u32::try_from(text.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&lz4_flex::block::compress(text));
    out
}

/// Whether `bytes` are packed (rather than plain text).
pub fn is_packed(bytes: &[u8]) -> bool {
    bytes.first() == Some(&TAG)
}

/// The text of packed or plain `bytes`.
pub fn unpack(bytes: Vec<u8>) -> Result<String, String> {
    let text = match bytes.split_first() {
        Some((&TAG, rest)) => {
            let (len, block) = rest
                .split_first_chunk::<4>()
                .ok_or("a packed value shorter than its header")?;
            let len = u32::from_le_bytes(*len) as usize;
            if len > MAX_TEXT {
                return Err(format!("a packed value claims {len} bytes of text"));
            }
            lz4_flex::block::decompress(block, len).map_err(|e| e.to_string())?
        }
        _ => bytes,
    };
    String::from_utf8(text).map_err(|e| format!("a packed value is not UTF-8: {e}"))
}
