//! A problem of a request body, found by a domain check: where (a JSON Pointer into the
//! body), which code, and what to tell the caller in both languages. The comment and review
//! checks return them; the application layer refuses a body with any.

/// One problem of a request body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyProblem {
    pub pointer: String,
    pub code: &'static str,
    pub en: String,
    pub zh: String,
}

impl BodyProblem {
    pub fn new(
        pointer: impl Into<String>,
        code: &'static str,
        en: impl Into<String>,
        zh: impl Into<String>,
    ) -> Self {
        BodyProblem {
            pointer: pointer.into(),
            code,
            en: en.into(),
            zh: zh.into(),
        }
    }
}
