//! The layers of the README's "Layout", checked on the source itself: which files may use
//! which, and no file that reaches back to a file that reaches it. Each `crate::…` and
//! `super::…` path (use trees expanded) and each child a parent file names is an edge
//! between two files; comments and `#[cfg(test)]` modules do not count.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module path from the crate root (`["store", "cells"]`).
type Module = Vec<String>;

pub(crate) struct Source {
    pub(crate) module: Module,
    pub(crate) path: PathBuf,
    /// A `mod.rs` or `lib.rs`: it names its children without `self::`.
    parent: bool,
    pub(crate) code: String,
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every file of the library crate (`main.rs` is the binary, a crate of its own).
pub(crate) fn sources() -> Vec<Source> {
    let mut out = Vec::new();
    let mut dirs = vec![root()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("read src/") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("main.rs") {
                let rel = path
                    .strip_prefix(root())
                    .expect("under src/")
                    .with_extension("");
                let mut module: Module = rel.iter().map(|s| s.to_string_lossy().into()).collect();
                let parent = matches!(module.last().map(String::as_str), Some("mod" | "lib"));
                if parent {
                    module.pop();
                }
                let text = std::fs::read_to_string(&path).expect("read a source file");
                out.push(Source {
                    module,
                    code: code_of(&text),
                    path,
                    parent,
                });
            }
        }
    }
    out
}

/// The text without comments and without the `#[cfg(test)]` module at the end.
fn code_of(text: &str) -> String {
    let mut code = String::new();
    for line in text.lines() {
        if line.trim() == "#[cfg(test)]" {
            break;
        }
        let line = match line.find("//") {
            // `"http://…"`: a string, not a comment, when an odd number of quotes precede it.
            Some(at) if line[..at].matches('"').count() % 2 == 0 => &line[..at],
            _ => line,
        };
        code.push_str(line);
        code.push('\n');
    }
    code
}

/// The paths a use tree starting at `text` names: `a::b::{c, d::e}` gives `a::b::c` and
/// `a::b::d::e`. Returns the paths and how many bytes were read.
fn use_tree(text: &str) -> (Vec<Vec<String>>, usize) {
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut prefix = Vec::new();
    loop {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i < bytes.len() && bytes[i] == b'{' {
            let mut paths = Vec::new();
            i += 1;
            loop {
                let (inner, used) = use_tree(&text[i..]);
                i += used;
                paths.extend(inner.into_iter().map(|p| [prefix.clone(), p].concat()));
                while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                    i += 1;
                }
                match bytes.get(i) {
                    Some(b',') => i += 1,
                    Some(b'}') => return (paths, i + 1),
                    _ => return (paths, i),
                }
                while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                    i += 1;
                }
                if bytes.get(i) == Some(&b'}') {
                    return (paths, i + 1);
                }
            }
        }
        let start = i;
        while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
            i += 1;
        }
        if i == start {
            return (vec![prefix], i);
        }
        prefix.push(text[start..i].to_owned());
        if text[i..].starts_with("::") {
            i += 2;
        } else {
            return (vec![prefix], i);
        }
    }
}

/// The module that `super` means in `source`.
fn super_of(source: &Source) -> Module {
    let mut m = source.module.clone();
    m.pop();
    m
}

/// The files `source` uses.
fn edges(source: &Source, modules: &BTreeSet<Module>) -> BTreeSet<Module> {
    let resolve = |path: Module| -> Option<Module> {
        (1..=path.len())
            .rev()
            .map(|n| path[..n].to_vec())
            .find(|m| modules.contains(m))
    };
    let code = &source.code;
    let mut found = BTreeSet::new();
    for base in ["crate::", "super::"] {
        for (at, _) in code.match_indices(base) {
            let before = code[..at].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let mut start = if base == "crate::" {
                Vec::new()
            } else {
                super_of(source)
            };
            let mut rest = &code[at + base.len()..];
            while let Some(more) = rest.strip_prefix("super::") {
                start.pop();
                rest = more;
            }
            for path in use_tree(rest).0 {
                found.extend(resolve([start.clone(), path].concat()));
            }
        }
    }
    if source.parent {
        let children = modules
            .iter()
            .filter(|m| m.len() == source.module.len() + 1 && m.starts_with(&source.module));
        for child in children {
            let name = format!("{}::", child[child.len() - 1]);
            let named = code
                .lines()
                .filter(|l| !l.trim_start().starts_with("mod "))
                .any(|l| {
                    l.match_indices(&name).any(|(at, _)| {
                        let before = l[..at].chars().next_back();
                        !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':')
                    })
                });
            if named {
                found.insert(child.clone());
            }
        }
    }
    found.remove(&source.module);
    found
}

fn graph() -> BTreeMap<Module, BTreeSet<Module>> {
    let sources = sources();
    let modules: BTreeSet<Module> = sources.iter().map(|s| s.module.clone()).collect();
    sources
        .iter()
        .map(|s| (s.module.clone(), edges(s, &modules)))
        .collect()
}

/// Strongly connected components of more than one file (Tarjan).
fn cycles(graph: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<Vec<Module>> {
    struct Walk<'a> {
        graph: &'a BTreeMap<Module, BTreeSet<Module>>,
        index: BTreeMap<&'a Module, usize>,
        low: BTreeMap<&'a Module, usize>,
        stack: Vec<&'a Module>,
        on_stack: BTreeSet<&'a Module>,
        found: Vec<Vec<Module>>,
    }
    impl<'a> Walk<'a> {
        fn visit(&mut self, v: &'a Module) {
            let n = self.index.len();
            self.index.insert(v, n);
            self.low.insert(v, n);
            self.stack.push(v);
            self.on_stack.insert(v);
            for w in self.graph.get(v).into_iter().flatten() {
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let lw = self.low[w];
                    let lv = self.low.get_mut(v).expect("visited");
                    *lv = (*lv).min(lw);
                } else if self.on_stack.contains(w) {
                    let iw = self.index[w];
                    let lv = self.low.get_mut(v).expect("visited");
                    *lv = (*lv).min(iw);
                }
            }
            if self.low[v] == self.index[v] {
                let mut component = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.on_stack.remove(w);
                    component.push(w.clone());
                    if w == v {
                        break;
                    }
                }
                if component.len() > 1 {
                    self.found.push(component);
                }
            }
        }
    }
    let mut walk = Walk {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for v in graph.keys() {
        if !walk.index.contains_key(v) {
            walk.visit(v);
        }
    }
    walk.found
}

fn name(m: &Module) -> String {
    m.join("::")
}

#[test]
fn no_two_files_use_each_other_even_through_others() {
    let graph = graph();
    assert!(
        graph.len() > 100,
        "the walk found the source: {}",
        graph.len()
    );
    let m = |s: &str| -> Module { s.split("::").map(str::to_owned).collect() };
    assert!(
        graph[&m("store::evaluations::owed")].contains(&m("store::evaluations::pending_cells")),
        "the edges are read: store::evaluations::owed uses its sibling pending_cells"
    );
    let found: Vec<Vec<String>> = cycles(&graph)
        .iter()
        .map(|c| c.iter().map(name).collect())
        .collect();
    assert!(found.is_empty(), "files in a cycle: {found:?}");
}

#[test]
fn a_cycle_is_found_when_there_is_one() {
    let m = |s: &str| -> Module { s.split("::").map(str::to_owned).collect() };
    let mut graph = BTreeMap::new();
    graph.insert(m("a"), BTreeSet::from([m("b")]));
    graph.insert(m("b"), BTreeSet::from([m("c")]));
    graph.insert(m("c"), BTreeSet::from([m("a")]));
    graph.insert(m("d"), BTreeSet::from([m("a")]));
    assert_eq!(cycles(&graph).len(), 1);
    assert_eq!(cycles(&graph)[0].len(), 3);
    let (paths, _) = use_tree("x::{y, z::{self, w}, v::*};");
    assert_eq!(
        paths,
        vec![
            vec!["x", "y"],
            vec!["x", "z", "self"],
            vec!["x", "z", "w"],
            vec!["x", "v"],
        ]
    );
}

#[test]
fn handlers_neither_touch_the_store_nor_begin_transactions() {
    for source in sources() {
        if source.module.first().map(String::as_str) != Some("api") {
            continue;
        }
        let modules: BTreeSet<Module> = sources().iter().map(|s| s.module.clone()).collect();
        let store: Vec<String> = edges(&source, &modules)
            .iter()
            .filter(|m| m.first().map(String::as_str) == Some("store"))
            .map(name)
            .collect();
        assert!(
            store.is_empty(),
            "{}: uses {store:?}",
            source.path.display()
        );
        for begins in ["begin_write", ".begin()", "begin_with_options", ".commit()"] {
            assert!(
                !source.code.contains(begins),
                "{}: {begins}",
                source.path.display()
            );
        }
    }
}

#[test]
fn the_application_layer_and_the_commands_use_nothing_of_http() {
    let sources = sources();
    let modules: BTreeSet<Module> = sources.iter().map(|s| s.module.clone()).collect();
    for source in &sources {
        let layer = source.module.first().map(String::as_str);
        if !matches!(
            layer,
            Some("app" | "import" | "generate" | "domain" | "store" | "model")
        ) {
            continue;
        }
        let api: Vec<String> = edges(source, &modules)
            .iter()
            .filter(|m| m.first().map(String::as_str) == Some("api"))
            .map(name)
            .collect();
        assert!(api.is_empty(), "{}: uses {api:?}", source.path.display());
        if layer == Some("domain") {
            for framework in [
                "actix",
                "sea_orm",
                "utoipa",
                "tokio",
                "crate::store",
                "crate::app",
            ] {
                assert!(
                    !source.code.contains(framework),
                    "{}: {framework}",
                    source.path.display()
                );
            }
        }
    }
}

#[test]
fn only_the_application_layer_begins_transactions() {
    // The one definition of a write transaction (the store's `begin_write`, which the
    // application layer's unit of work calls).
    let own = [vec!["store", "database"]];
    for source in sources() {
        if source.module.first().map(String::as_str) == Some("app")
            || own.iter().any(|m| source.module == *m)
        {
            continue;
        }
        for begins in ["begin_write(", ".begin()", "begin_with_options"] {
            assert!(
                !source.code.contains(begins),
                "{}: {begins}",
                source.path.display()
            );
        }
    }
}
