//! JSON text kept compressed (the format: `migration::packing`): the evaluation documents and their history entries are most of
//! the database (19 KB and 5 KB of text per evaluation), and JSON compresses four- to
//! fivefold. A value is stored as one tag byte, the text's length (4 bytes, little-endian) and
//! an LZ4 block, in a binary column (BLOB, `bytea`); LZ4 decodes at gigabytes a second, so a
//! page of full documents reads about as fast as plain text. A value without the tag is the
//! plain UTF-8 text of a row written before compression, and reads as it is.

use migration::packing;
use sea_orm::sea_query::{ArrayType, ColumnType, Nullable, ValueType, ValueTypeErr};
use sea_orm::{ColIdx, DbErr, QueryResult, TryGetError, TryGetable, Value};

/// JSON text, compressed in the column and plain in memory.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PackedJson(pub String);

impl PackedJson {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The column's bytes (`migration::packing`).
    pub fn pack(&self) -> Vec<u8> {
        packing::pack(&self.0)
    }

    /// The text of the column's bytes, packed or (an older row) plain.
    pub fn unpack(bytes: Vec<u8>) -> Result<PackedJson, String> {
        packing::unpack(bytes).map(PackedJson)
    }
}

impl From<PackedJson> for Value {
    fn from(p: PackedJson) -> Value {
        Value::Bytes(Some(p.pack()))
    }
}

impl TryGetable for PackedJson {
    fn try_get_by<I: ColIdx>(res: &QueryResult, idx: I) -> Result<Self, TryGetError> {
        let bytes = <Vec<u8> as TryGetable>::try_get_by(res, idx)?;
        PackedJson::unpack(bytes).map_err(|e| TryGetError::DbErr(DbErr::Type(e)))
    }
}

impl ValueType for PackedJson {
    fn try_from(v: Value) -> Result<Self, ValueTypeErr> {
        match v {
            Value::Bytes(Some(bytes)) => PackedJson::unpack(bytes).map_err(|_| ValueTypeErr),
            Value::String(Some(text)) => Ok(PackedJson(text)),
            _ => Err(ValueTypeErr),
        }
    }

    fn type_name() -> String {
        "PackedJson".to_owned()
    }

    fn array_type() -> ArrayType {
        ArrayType::Bytes
    }

    fn column_type() -> ColumnType {
        ColumnType::Blob
    }
}

impl Nullable for PackedJson {
    fn null() -> Value {
        Value::Bytes(None)
    }
}

impl sea_orm::IntoActiveValue<PackedJson> for PackedJson {
    fn into_active_value(self) -> sea_orm::ActiveValue<PackedJson> {
        sea_orm::ActiveValue::Set(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_document_packs_to_a_fraction_and_back() {
        let text = serde_json::json!({
            "indicators": (0..20).map(|i| serde_json::json!({
                "level1": "产出指标", "level2": "数量指标", "level3": format!("指标{i}"),
                "target": "≥95%", "actual": "100%", "weight": "5", "claimed_score": "5"
            })).collect::<Vec<_>>()
        })
        .to_string();
        let packed = PackedJson(text.clone()).pack();
        assert!(
            packed.len() * 3 < text.len(),
            "{} of {}",
            packed.len(),
            text.len()
        );
        assert_eq!(PackedJson::unpack(packed), Ok(PackedJson(text)));
    }

    #[test]
    fn a_row_from_before_compression_reads_as_written() {
        let text = r#"{"input":{"year":2024}}"#;
        assert_eq!(
            PackedJson::unpack(text.as_bytes().to_vec()),
            Ok(PackedJson(text.to_owned()))
        );
    }

    #[test]
    fn damaged_values_are_errors_not_panics_or_huge_allocations() {
        assert!(PackedJson::unpack(vec![packing::TAG, 1, 0]).is_err());
        let mut huge = vec![packing::TAG];
        huge.extend_from_slice(&u32::MAX.to_le_bytes());
        assert!(PackedJson::unpack(huge).is_err());
        let mut packed = PackedJson("x".repeat(1000)).pack();
        packed.truncate(packed.len() - 3);
        assert!(PackedJson::unpack(packed).is_err());
        assert!(PackedJson::unpack(vec![0xff, 0xfe]).is_err());
    }

    proptest! {
        #[test]
        fn any_text_survives_packing(text in ".{0,400}") {
            let packed = PackedJson(text.clone()).pack();
            prop_assert_eq!(PackedJson::unpack(packed), Ok(PackedJson(text)));
        }

        #[test]
        fn any_bytes_unpack_without_panicking(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = PackedJson::unpack(bytes);
        }
    }
}
