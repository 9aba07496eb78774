//! The read cache (#17): a dashboard's lists and stats are served again as the same bytes
//! between writes, never after a write (on this instance or another one on the database), and
//! never to another caller.

use serde_json::{Value, json};

use crate::helpers::{TestApp, json, on_each_db, rename_department, second_instance};
use crate::seed::load_seed;

const READS: [&str; 5] = [
    "/api/v1/evaluations?page_size=100",
    "/api/v1/evaluations?page_size=100&view=full",
    "/api/v1/indicator-results?page_size=100",
    "/api/v1/stats/evaluations?group_by=region,kind",
    "/api/v1/stats/indicators?year=2024",
];

/// The value of one counter in `/metrics` (`series` with its labels), 0 before its first count.
async fn counter(app: &TestApp, series: &str) -> u64 {
    let text = app.get("/metrics").send().await.unwrap();
    let text = text.text().await.unwrap();
    let prefix = format!("{series} ");
    text.lines()
        .find_map(|l| l.strip_prefix(prefix.as_str()))
        .map_or(0, |n| n.trim().parse().unwrap())
}

/// How many reads the cache served from a kept answer so far.
async fn served(app: &TestApp) -> u64 {
    counter(app, "read_cache_answers_total{outcome=\"served\"}").await
}

/// How many compressed forms of kept answers were made in `coding`.
async fn encoded(app: &TestApp, coding: &str) -> u64 {
    counter(
        app,
        &format!("read_cache_encoded_total{{coding=\"{coding}\"}}"),
    )
    .await
}

/// The tag and body of a read.
async fn read(app: &TestApp, path: &str) -> (String, Value) {
    let res = app.get(path).send().await.unwrap();
    assert_eq!(res.status(), 200, "{path}");
    let tag = res.headers()["etag"].to_str().unwrap().to_owned();
    (tag, res.json().await.unwrap())
}

fn names(list: &Value, field: &str) -> Vec<String> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i[field].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn a_read_asked_again_is_served_as_kept_with_its_tag() {
    on_each_db(|app| async move {
        load_seed(&app).await;
        for path in READS {
            let first = app.get(path).send().await.unwrap();
            let tag = first.headers()["etag"].to_str().unwrap().to_owned();
            let first = first.bytes().await.unwrap();
            let before = served(&app).await;
            let again = app.get(path).send().await.unwrap();
            assert_eq!(again.headers()["etag"].to_str().unwrap(), tag, "{path}");
            assert_eq!(again.headers()["content-type"], "application/json");
            assert_eq!(again.bytes().await.unwrap(), first, "{path}");
            assert_eq!(served(&app).await, before + 1, "{path} was computed again");
            let res = app
                .get(path)
                .header("If-None-Match", &tag)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 304, "{path}");
            assert_eq!(res.headers()["etag"].to_str().unwrap(), tag);
        }
    })
    .await;
}

#[tokio::test]
async fn a_tag_from_another_instance_is_304_where_the_answer_is_computed() {
    on_each_db(|app| async move {
        load_seed(&app).await;
        let other = second_instance(&app).await;
        for path in READS {
            let (tag, _) = read(&app, path).await;
            // The other instance has kept nothing yet: it computes the answer, and the tag.
            let res = other
                .get(path)
                .header("If-None-Match", &tag)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 304, "{path}");
            assert_eq!(res.headers()["etag"].to_str().unwrap(), tag, "{path}");
        }
        other.finish().await;
    })
    .await;
}

#[tokio::test]
async fn every_write_is_seen_by_the_next_read() {
    on_each_db(|app| async move {
        let seed = load_seed(&app).await;
        let path = READS[0];
        let (tag, list) = read(&app, path).await;
        read(&app, path).await;
        let dept = list["items"][0]["department_id"]
            .as_str()
            .unwrap()
            .to_owned();
        rename_department(&app, &dept, "衡东县生态环境分局（更名）").await;
        let (renamed, list) = read(&app, path).await;
        assert_ne!(renamed, tag);
        assert!(names(&list, "department_name").contains(&"衡东县生态环境分局（更名）".into()));
        // Regions are not in the change feed; their writes count a generation instead.
        let res = app.get("/api/v1/regions/430424").send().await.unwrap();
        let etag = res.headers()["etag"].to_str().unwrap().to_owned();
        let res = app
            .put("/api/v1/regions/430424")
            .header("If-Match", etag)
            .json(&json!({"name": "衡东县（改）", "level": "county", "parent": "430400"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let (_, list) = read(&app, path).await;
        assert!(
            names(&list, "region_name")
                .iter()
                .all(|n| n == "衡东县（改）"),
            "{list}"
        );
        // A deletion leaves the stats at once.
        let stats = READS[3];
        let (_, before) = read(&app, stats).await;
        read(&app, stats).await;
        let id = &seed.evaluation_ids[0];
        let res = app
            .get(&format!("/api/v1/evaluations/{id}"))
            .send()
            .await
            .unwrap();
        let etag = res.headers()["etag"].to_str().unwrap().to_owned();
        let res = app
            .delete(&format!("/api/v1/evaluations/{id}"))
            .header("If-Match", etag)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 204);
        let (_, after) = read(&app, stats).await;
        let count = |v: &Value| v["overall"]["count"].as_i64().unwrap();
        assert_eq!(count(&after), count(&before) - 1, "{before} {after}");
    })
    .await;
}

#[tokio::test]
async fn each_caller_gets_its_own_answer() {
    on_each_db(|app| async move {
        load_seed(&app).await;
        let path = READS[0];
        for _ in 0..2 {
            let (_, list) = read(&app, path).await;
            assert_eq!(list["items"].as_array().unwrap().len(), 3);
        }
        // Another province: the same request, nothing of 湖南.
        let other = app.as_(Some(app.token("admin", "110000")));
        let (_, list) = read(&other, path).await;
        assert_eq!(list["items"], json!([]));
        // A viewer never sees drafts (the seed's evaluations are drafts).
        let viewer = app.as_(Some(app.token("viewer", "430000")));
        let (_, list) = read(&viewer, path).await;
        assert_eq!(list["items"], json!([]));
        // Without a token, 401 as ever.
        let (status, _) = json(app.as_(None).get(path).send().await.unwrap()).await;
        assert_eq!(status, 401);
    })
    .await;
}

/// The seed loaded, a second instance on the same database, and the department of the
/// evaluations listed.
async fn two_instances(app: &TestApp) -> (TestApp, String) {
    load_seed(app).await;
    let other = second_instance(app).await;
    let (_, list) = read(app, READS[0]).await;
    let dept = list["items"][0]["department_id"].as_str().unwrap();
    (other, dept.to_owned())
}

#[tokio::test]
async fn a_write_through_another_instance_is_seen_by_the_next_read() {
    on_each_db(|app| async move {
        let (other, dept) = two_instances(&app).await;
        let path = READS[0];
        let before = served(&app).await;
        read(&app, path).await;
        assert_eq!(served(&app).await, before + 1);
        rename_department(&other, &dept, "衡东县生态环境分局（另一实例）").await;
        let (_, list) = read(&app, path).await;
        assert!(
            names(&list, "department_name").contains(&"衡东县生态环境分局（另一实例）".into()),
            "{list}"
        );
        other.finish().await;
    })
    .await;
}

#[tokio::test]
async fn reads_racing_writes_never_keep_an_answer_from_before_a_write() {
    on_each_db(|app| async move {
        let (other, dept) = two_instances(&app).await;
        let path = READS[0];
        // Readers on both instances keep computing and keeping the page while it is written.
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let mut readers = Vec::new();
        for instance in [app.clone(), other.clone(), app.clone(), other.clone()] {
            let stop = stop.clone();
            readers.push(tokio::spawn(async move {
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    read(&instance, path).await;
                }
            }));
        }
        for round in 0..15 {
            let (writer, reader) = if round % 2 == 0 {
                (&other, &app)
            } else {
                (&app, &other)
            };
            let name = format!("衡东县生态环境分局（第{round}次）");
            rename_department(writer, &dept, &name).await;
            let (_, list) = read(reader, path).await;
            assert!(
                names(&list, "department_name").contains(&name),
                "{round}: {list}"
            );
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        for r in readers {
            r.await.unwrap();
        }
        other.finish().await;
    })
    .await;
}

#[tokio::test]
async fn a_kept_answer_is_served_compressed_as_asked() {
    use std::io::Read;
    on_each_db(|app| async move {
        load_seed(&app).await;
        for (path, made) in [(READS[0], 0), (READS[1], 1)] {
            let plain = app.get(path).send().await.unwrap().bytes().await.unwrap();
            for (asked, twice) in [("gzip", 0), ("br", 0), ("gzip", 1), ("br", 1)] {
                let before = served(&app).await;
                let res = app
                    .get(path)
                    .header("Accept-Encoding", asked)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), 200);
                assert_eq!(res.headers()["content-encoding"], asked, "{path}");
                let vary = res.headers().get_all("vary").iter();
                let vary: Vec<_> = vary.map(|v| v.to_str().unwrap().to_lowercase()).collect();
                assert!(
                    vary.iter().any(|v| v.contains("accept-encoding")),
                    "{vary:?}"
                );
                let bytes = res.bytes().await.unwrap();
                let mut out = Vec::new();
                if asked == "gzip" {
                    flate2::read::GzDecoder::new(&bytes[..])
                        .read_to_end(&mut out)
                        .unwrap();
                } else {
                    brotli::Decompressor::new(&bytes[..], 4096)
                        .read_to_end(&mut out)
                        .unwrap();
                }
                assert_eq!(out, plain, "{path} {asked} {twice}");
                assert_eq!(served(&app).await, before + 1, "{path} {asked} {twice}");
                // Made once per answer and coding, then served as kept.
                assert_eq!(
                    encoded(&app, asked).await,
                    made + 1,
                    "{path} {asked} {twice}"
                );
            }
        }
    })
    .await;
}

#[tokio::test]
async fn identical_reads_arriving_together_compute_the_answer_once() {
    on_each_db(|app| async move {
        load_seed(&app).await;
        // On PostgreSQL the seed's writes left what they owe the aggregate cells, and the
        // first stats read settles it in write transactions, while which no version is read
        // and every request computes its own answer (nothing is kept during a write). A stats
        // read under another key settles it first, so that the reads below find the data
        // quiet, as they would after any earlier read.
        let (s, _) = json(
            app.get("/api/v1/stats/evaluations?year=1999")
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, 200);
        let outcome = |name: &'static str| {
            let app = app.clone();
            async move {
                counter(
                    &app,
                    &format!("read_cache_answers_total{{outcome=\"{name}\"}}"),
                )
                .await
            }
        };
        for path in READS {
            let (kept, computed) = (outcome("kept").await, outcome("computed").await);
            let (served_before, shared) = (outcome("served").await, outcome("shared").await);
            let reads = (0..16).map(|_| {
                let app = app.clone();
                tokio::spawn(async move {
                    let res = app.get(path).send().await.unwrap();
                    assert_eq!(res.status(), 200, "{path}");
                    res.bytes().await.unwrap()
                })
            });
            let bodies: Vec<_> = futures_util::future::join_all(reads).await;
            let first = bodies[0].as_ref().unwrap();
            assert!(
                bodies.iter().all(|b| b.as_ref().unwrap() == first),
                "{path}"
            );
            assert_eq!(outcome("kept").await, kept + 1, "{path}: computed once");
            assert_eq!(outcome("computed").await, computed, "{path}");
            let answered =
                outcome("served").await - served_before + outcome("shared").await - shared;
            assert_eq!(
                answered, 15,
                "{path}: the others were given the kept answer"
            );
        }
    })
    .await;
}
