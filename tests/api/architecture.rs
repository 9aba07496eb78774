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

/// The code (comments left out) of every `.rs` file under `src/{dir}` (or the file itself).
fn code_of(path: &std::path::Path, out: &mut Vec<(String, String)>) {
    if path.is_dir() {
        for entry in std::fs::read_dir(path).unwrap() {
            code_of(&entry.unwrap().path(), out);
        }
    } else if path.extension().is_some_and(|e| e == "rs") {
        let text = std::fs::read_to_string(path).unwrap();
        let code: String = text
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        out.push((path.display().to_string(), code));
    }
}

/// The use cases, the contract types, the CLI import and the demo generator never reach back
/// into the HTTP layer: the layers only point down.
#[test]
fn app_model_import_and_generate_do_not_use_the_http_layer() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    for part in [
        "app",
        "model",
        "import.rs",
        "generate.rs",
        "domain",
        "store",
    ] {
        code_of(&root.join(part), &mut files);
    }
    assert!(files.len() >= 20);
    for (path, code) in files {
        assert!(
            !code.contains("crate::api"),
            "{path} uses crate::api: only main/startup wire the HTTP layer"
        );
    }
}

/// The HTTP layer extracts, calls a use case and answers: it neither reads the store nor
/// begins a transaction (that is `app/`'s work).
#[test]
fn api_does_not_use_the_store_or_begin_transactions() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/api");
    let mut files = Vec::new();
    code_of(&root, &mut files);
    assert!(files.len() >= 20);
    for (path, code) in files {
        for banned in [
            "crate::store",
            "begin_write",
            ".begin()",
            "UnitOfWork",
            "TransactionTrait",
            "sea_query",
        ] {
            assert!(
                !code.contains(banned),
                "{path} mentions {banned}: the HTTP layer calls app/, which holds the store \
                 access and the transactions"
            );
        }
    }
}
