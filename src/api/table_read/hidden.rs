//! The hidden rows of each sheet, read from the workbook's XML.

use std::collections::HashMap;
use std::io::Cursor;

/// The hidden rows (1-based) of each sheet, by sheet name: calamine reads every row but does
/// not say which are hidden, so the `hidden` attribute of `<row>` is read here with the zip and
/// XML readers calamine itself uses. A workbook whose parts cannot be found gives none.
pub(super) fn hidden_rows(bytes: &[u8]) -> HashMap<String, Vec<u32>> {
    use quick_xml::events::Event;
    use std::io::Read;
    let mut out = HashMap::new();
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return out;
    };
    let mut part = |name: &str| -> Option<String> {
        let mut text = String::new();
        zip.by_name(name).ok()?.read_to_string(&mut text).ok()?;
        Some(text)
    };
    let attr = |e: &quick_xml::events::BytesStart<'_>, name: &str| -> Option<String> {
        e.attributes()
            .flatten()
            .find(|a| {
                let k: &str = a.key.as_ref();
                k == name
            })
            .and_then(|a| {
                let raw: &str = &a.value;
                quick_xml::escape::unescape(raw)
                    .ok()
                    .map(|v| v.into_owned())
            })
    };
    let each = |xml: &str, tag: &str, f: &mut dyn FnMut(&quick_xml::events::BytesStart<'_>)| {
        let mut reader = quick_xml::Reader::from_str(xml);
        loop {
            match reader.read_event() {
                Ok(Event::Start(e) | Event::Empty(e))
                    if {
                        let n: &str = e.local_name().into_inner();
                        n == tag
                    } =>
                {
                    f(&e)
                }
                Ok(Event::Eof) | Err(_) => break,
                _ => {}
            }
        }
    };
    let (Some(workbook), Some(rels)) =
        (part("xl/workbook.xml"), part("xl/_rels/workbook.xml.rels"))
    else {
        return out;
    };
    let mut targets = HashMap::new();
    each(&rels, "Relationship", &mut |e| {
        if let (Some(id), Some(target)) = (attr(e, "Id"), attr(e, "Target")) {
            targets.insert(id, target);
        }
    });
    let mut sheets = Vec::new();
    each(&workbook, "sheet", &mut |e| {
        if let (Some(name), Some(id)) = (attr(e, "name"), attr(e, "r:id")) {
            sheets.push((name, id));
        }
    });
    for (name, id) in sheets {
        let Some(target) = targets.get(&id) else {
            continue;
        };
        let path = match target.strip_prefix('/') {
            Some(p) => p.to_owned(),
            None => format!("xl/{target}"),
        };
        let Some(xml) = part(&path) else { continue };
        let mut hidden = Vec::new();
        each(&xml, "row", &mut |e| {
            let is_hidden = attr(e, "hidden").is_some_and(|h| h == "1" || h == "true");
            if let (true, Some(r)) = (is_hidden, attr(e, "r").and_then(|r| r.parse().ok())) {
                hidden.push(r);
            }
        });
        out.insert(name, hidden);
    }
    out
}
