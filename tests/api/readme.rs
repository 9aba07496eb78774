//! The README documents every setting.

#[test]
fn readme_lists_every_setting() {
    let readme = include_str!("../../README.md");
    for spec in jixiao::config::SETTINGS {
        assert!(
            readme.contains(&format!("| `{}` |", spec.key)),
            "README lacks {}",
            spec.key
        );
        assert!(
            readme.contains(&format!("`{}`", spec.env)),
            "README lacks {}",
            spec.env
        );
        assert!(
            readme.contains(&format!("`{}`", spec.default)),
            "README lacks the default of {}",
            spec.key
        );
    }
}
