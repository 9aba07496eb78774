//! What changed between two versions of a document: one entry per JSON Pointer whose value
//! differs, with the value before and after.

use serde_json::Value;

/// One changed field.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Change {
    pub pointer: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

fn walk(pointer: &str, before: Option<&Value>, after: Option<&Value>, out: &mut Vec<Change>) {
    match (before, after) {
        (Some(Value::Object(a)), Some(Value::Object(b))) => {
            let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                walk(&format!("{pointer}/{}", escape(k)), a.get(k), b.get(k), out);
            }
        }
        (Some(Value::Array(a)), Some(Value::Array(b))) => {
            for i in 0..a.len().max(b.len()) {
                walk(&format!("{pointer}/{i}"), a.get(i), b.get(i), out);
            }
        }
        (a, b) => {
            let a = a.filter(|v| !v.is_null());
            let b = b.filter(|v| !v.is_null());
            if a != b {
                out.push(Change {
                    pointer: pointer.to_owned(),
                    before: a.cloned(),
                    after: b.cloned(),
                });
            }
        }
    }
}

/// The leaf-level differences, in pointer order; `null` and absent count as the same.
pub fn changes(before: &Value, after: &Value) -> Vec<Change> {
    let mut out = Vec::new();
    walk("", Some(before), Some(after), &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_leaf_changes() {
        let a = json!({"name": "x", "rows": [{"w": "5"}, {"w": "10"}], "gone": 1, "same": null});
        let b =
            json!({"name": "y", "rows": [{"w": "5"}, {"w": "20"}, {"w": "1"}], "new/key": true});
        let c = changes(&a, &b);
        let pointers: Vec<&str> = c.iter().map(|c| c.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            ["/gone", "/name", "/new~1key", "/rows/1/w", "/rows/2"]
        );
        assert_eq!(c[1].before, Some(json!("x")));
        assert_eq!(c[1].after, Some(json!("y")));
        assert_eq!(c[4].before, None);
        assert!(changes(&a, &a).is_empty());
    }
}
