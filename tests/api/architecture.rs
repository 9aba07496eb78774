//! The domain stays pure: no web framework, database, OpenAPI or runtime imports.

#[test]
fn domain_has_no_framework_imports() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/domain");
    let mut files = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        // Code only: comments may name what is kept out.
        let code: String = text
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        files += 1;
        for banned in [
            "actix",
            "sea_orm",
            "sea_query",
            "utoipa",
            "tokio",
            "sqlx",
            "reqwest",
            "crate::api",
            "crate::store",
        ] {
            assert!(
                !code.contains(banned),
                "{} mentions {banned}: the domain must stay pure",
                path.display()
            );
        }
    }
    assert!(files >= 10);
}
