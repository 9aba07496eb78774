//! The domain stays pure: no web framework, database, OpenAPI or runtime imports.

#[test]
fn domain_has_no_framework_imports() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/domain");
    let mut files = 0;
    // Every file below src/domain, sub-folders (domain/scoring/) included.
    let mut paths = Vec::new();
    let mut folders = vec![std::path::PathBuf::from(dir)];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else {
                paths.push(path);
            }
        }
    }
    for path in paths {
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
