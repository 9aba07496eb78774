//! JSON text kept compressed (the format: `migration::packing`): the evaluation documents,
//! their history entries and the change feed's snapshots are most of the database (19 KB,
//! 5 KB and 2 KB of text per evaluation), and JSON compresses four- to sevenfold. A value is
//! stored as one tag byte, the text's length (4 bytes, little-endian) and a zstd frame packed
//! with a dictionary of real documents (older rows: an LZ4 block), in a binary column (BLOB,
//! `bytea`); both decode at gigabytes a second, so a page of full documents reads about as
//! fast as plain text. A value without a tag is the plain UTF-8 text of a row written before
//! compression, and reads as it is.

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

    /// A change-feed snapshot of an evaluation, as the feed stores one (values invented).
    const SNAPSHOT: &str = r#"{"basis":"computed","budget_executed":"118.50","budget_full_year":"120.00","department_budget_code":"K204011","department_id":"0193f2a1-7c4e-7d20-8a51-6b0e2f3c9d41","department_name":"某县农业农村局","error_count":2,"grade":"good","grade_label_zh":"良","href":"/api/v1/evaluations/0193f2a1-7d01-71aa-93c2-5e7f10b2c6a8","id":"0193f2a1-7d01-71aa-93c2-5e7f10b2c6a8","kind":"project","kind_label_zh":"项目支出","project_id":"0193f2a1-7c90-7b3e-9f12-0d4c8e6a1b57","project_name":"高标准农田建设项目","region":"431021","region_name":"桂阳县","status":"submitted","status_label_zh":"已提交","total":"86.40","updated_at":"2026-11-30T09:12:45.118203Z","version":3,"warning_count":1,"year":2025}"#;

    #[test]
    fn short_json_packs_with_the_dictionary_to_less_than_half_of_lz4() {
        let packed = PackedJson(SNAPSHOT.to_owned()).pack();
        let lz4 = packing::pack_lz4(SNAPSHOT);
        assert_eq!(packing::format(&packed), Some(packing::ZSTD));
        assert!(
            packed.len() * 2 < lz4.len(),
            "{} bytes, LZ4 {}, text {}",
            packed.len(),
            lz4.len(),
            SNAPSHOT.len()
        );
        assert_eq!(
            PackedJson::unpack(packed),
            Ok(PackedJson(SNAPSHOT.to_owned()))
        );
    }

    #[test]
    fn values_packed_as_lz4_before_the_dictionary_read_as_written() {
        let lz4 = packing::pack_lz4(SNAPSHOT);
        assert_eq!(packing::format(&lz4), Some(packing::LZ4));
        assert_eq!(PackedJson::unpack(lz4), Ok(PackedJson(SNAPSHOT.to_owned())));
    }

    #[test]
    fn a_zstd_value_whose_header_disagrees_with_its_frame_is_an_error() {
        let packed = PackedJson(SNAPSHOT.to_owned()).pack();
        let len = SNAPSHOT.len() as u32;
        for claimed in [len - 1, len + 1, 0] {
            let mut wrong = packed.clone();
            wrong[1..5].copy_from_slice(&claimed.to_le_bytes());
            assert!(PackedJson::unpack(wrong).is_err(), "{claimed}");
        }
        let mut cut = packed;
        cut.truncate(cut.len() - 4);
        assert!(PackedJson::unpack(cut).is_err());
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
        assert!(PackedJson::unpack(vec![packing::LZ4, 1, 0]).is_err());
        let mut huge = vec![packing::LZ4];
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
        fn any_bytes_after_a_zstd_header_unpack_without_panicking(
            len in 0u32..100_000,
            frame in proptest::collection::vec(any::<u8>(), 0..64),
        ) {
            let mut bytes = vec![packing::ZSTD];
            bytes.extend_from_slice(&len.to_le_bytes());
            bytes.extend_from_slice(&frame);
            let _ = PackedJson::unpack(bytes);
        }

        #[test]
        fn any_bytes_unpack_without_panicking(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = PackedJson::unpack(bytes);
        }
    }
}
