use serde_json::{Value, json};

use crate::helpers::{json, on_each_db, problem};

fn codes(body: &Value) -> Vec<String> {
    body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|r| r["code"].as_str().expect("code").to_owned())
        .collect()
}

#[tokio::test]
async fn seeded_regions_and_filters() {
    on_each_db(|app| async move {
        let (s, body) = json(
            app.get("/api/v1/regions?page_size=500")
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, 200);
        let all = codes(&body);
        assert_eq!(all.len(), 14);
        assert_eq!(&all[..2], ["430000", "430400"]);
        assert!(all.contains(&"430424".to_owned()));
        assert!(body["next_page_token"].is_null());

        let (_, body) = json(
            app.get("/api/v1/regions?level=province")
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(codes(&body), ["430000"]);
        let (_, body) = json(
            app.get("/api/v1/regions?parent=430000")
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(codes(&body), ["430400"]);
        let (_, body) = json(
            app.get("/api/v1/regions?under=4304&level=county")
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(codes(&body).len(), 12);
        let (_, body) = json(
            app.get("/api/v1/regions?under=430400")
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(codes(&body).len(), 13);
        let (_, body) = json(
            app.get("/api/v1/regions?under=430424")
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(codes(&body), ["430424"]);

        let (s, one) = json(app.get("/api/v1/regions/430424").send().await.unwrap()).await;
        assert_eq!(s, 200);
        assert_eq!(one["name"], "衡东县");
        assert_eq!(one["level"], "county");
        assert_eq!(one["level_label_zh"], "县级");
        assert_eq!(one["parent"], "430400");

        let bad = app.get("/api/v1/regions?under=43x").send().await.unwrap();
        let body = problem(bad, 400, "request.invalid_query").await;
        assert_eq!(body["errors"][0]["parameter"], "under");
    })
    .await;
}

#[tokio::test]
async fn pagination_visits_every_region_once() {
    on_each_db(|app| async move {
        let mut seen = Vec::new();
        let mut token: Option<String> = None;
        let mut pages = 0;
        loop {
            let mut path = "/api/v1/regions?page_size=5".to_owned();
            if let Some(t) = &token {
                path.push_str(&format!("&page_token={t}"));
            }
            let (s, body) = json(app.get(&path).send().await.unwrap()).await;
            assert_eq!(s, 200, "{body}");
            seen.extend(codes(&body));
            pages += 1;
            match body["next_page_token"].as_str() {
                Some(t) => token = Some(t.to_owned()),
                None => break,
            }
        }
        assert_eq!(pages, 3);
        let mut sorted = seen.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted, seen);
        assert_eq!(seen.len(), 14);

        let res = app
            .get("/api/v1/regions?page_token=garbage")
            .send()
            .await
            .unwrap();
        problem(res, 400, "request.invalid_page_token").await;
        let res = app
            .get("/api/v1/regions?page_size=501")
            .send()
            .await
            .unwrap();
        problem(res, 400, "request.invalid_query").await;
    })
    .await;
}

#[tokio::test]
async fn get_with_etag_and_not_found() {
    on_each_db(|app| async move {
        let res = app.get("/api/v1/regions/430424").send().await.unwrap();
        let etag = res.headers()["etag"].to_str().unwrap().to_owned();
        assert_eq!(etag, "\"1\"");
        let res = app
            .get("/api/v1/regions/430424")
            .header("If-None-Match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 304);
        let res = app.get("/api/v1/regions/430499").send().await.unwrap();
        let body = problem(res, 404, "region.not_found").await;
        assert_eq!(body["instance"], "/api/v1/regions/430499");
    })
    .await;
}

#[tokio::test]
async fn a_region_is_created_with_level_and_parent_from_its_code_and_only_once() {
    on_each_db(|app| async move {
        let res = app
            .post("/api/v1/regions")
            .json(
                &json!({"code": "430499", "name": "试验县", "level": "county", "parent": "430400"}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        assert_eq!(res.headers()["location"], "/api/v1/regions/430499");
        assert_eq!(res.headers()["etag"], "\"1\"");
        let (_, created) = json(res).await;
        assert_eq!(created["parent"], "430400");

        // Level and parent default from the code.
        let res = app
            .post("/api/v1/regions")
            .json(&json!({"code": "430100", "name": "长沙市"}))
            .send()
            .await
            .unwrap();
        let (s, body) = json(res).await;
        assert_eq!(
            (s, body["level"].as_str(), body["parent"].as_str()),
            (201, Some("city"), Some("430000"))
        );

        let res = app
            .post("/api/v1/regions")
            .json(&json!({"code": "430499", "name": "again"}))
            .send()
            .await
            .unwrap();
        problem(res, 409, "region.exists").await;
    })
    .await;
}

#[tokio::test]
async fn a_bad_region_is_refused_at_each_pointer_and_nothing_is_written() {
    on_each_db(|app| async move {
        let cases = [
            (
                json!({"code": "43049", "name": "x"}),
                "/code",
                "region.invalid_code",
            ),
            (
                json!({"code": "430024", "name": "x"}),
                "/code",
                "region.invalid_code",
            ),
            (
                json!({"code": "430498", "name": "x", "level": "city"}),
                "/level",
                "region.level_mismatch",
            ),
            (
                json!({"code": "430498", "name": "x", "parent": "430000"}),
                "/parent",
                "region.parent_mismatch",
            ),
            (
                json!({"code": "430498", "name": "  "}),
                "/name",
                "field.invalid_length",
            ),
            (
                json!({"code": "431121", "name": "祁阳县"}),
                "/code",
                "region.parent_missing",
            ),
            (
                json!({"code": "430498", "name": "x", "version": 3}),
                "/version",
                "field.read_only",
            ),
            (
                json!({"code": "430498", "name": "x", "colour": "red"}),
                "/colour",
                "field.unknown",
            ),
            (json!({"name": "x"}), "/code", "field.missing"),
            (
                json!({"code": 430498, "name": "x"}),
                "/code",
                "field.invalid",
            ),
            (
                json!({"code": "430498", "name": "x", "level": "town"}),
                "/level",
                "field.invalid",
            ),
        ];
        for (body, pointer, code) in cases {
            let res = app
                .post("/api/v1/regions")
                .json(&body)
                .send()
                .await
                .unwrap();
            let p = problem(res, 422, "request.validation_failed").await;
            assert_eq!(p["errors"][0]["pointer"], pointer, "{body} -> {p}");
            assert_eq!(p["errors"][0]["code"], code, "{body} -> {p}");
        }
        // Several problems are reported at once.
        let res = app
            .post("/api/v1/regions")
            .json(&json!({"code": "430498", "name": "", "level": "province", "parent": "430000"}))
            .send()
            .await
            .unwrap();
        let p = problem(res, 422, "request.validation_failed").await;
        assert_eq!(p["errors"].as_array().unwrap().len(), 3, "{p}");
        // Nothing was written by the refused requests.
        let res = app.get("/api/v1/regions/430498").send().await.unwrap();
        problem(res, 404, "region.not_found").await;
    })
    .await;
}

#[tokio::test]
async fn replace_needs_current_etag() {
    on_each_db(|app| async move {
        let path = "/api/v1/regions/430424";
        let res = app
            .put(path)
            .json(&json!({"name": "衡东"}))
            .send()
            .await
            .unwrap();
        problem(res, 428, "request.precondition_required").await;
        let res = app
            .put(path)
            .header("If-Match", "\"9\"")
            .json(&json!({"name": "衡东"}))
            .send()
            .await
            .unwrap();
        let p = problem(res, 412, "request.precondition_failed").await;
        assert!(p["detail"].as_str().unwrap().contains("\"1\""));
        let res = app
            .put(path)
            .header("If-Match", "\"1\"")
            .json(&json!({"name": "衡东县（改）", "level": "county", "parent": "430400"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.headers()["etag"], "\"2\"");
        let (s, body) = json(res).await;
        assert_eq!(
            (s, body["name"].as_str(), body["version"].as_i64()),
            (200, Some("衡东县（改）"), Some(2))
        );
        // The old ETag is now stale: the second writer does not overwrite the first.
        let res = app
            .put(path)
            .header("If-Match", "\"1\"")
            .json(&json!({"name": "lost update"}))
            .send()
            .await
            .unwrap();
        problem(res, 412, "request.precondition_failed").await;
        let res = app
            .put(path)
            .header("If-Match", "\"2\"")
            .json(&json!({"name": "x", "code": "430425"}))
            .send()
            .await
            .unwrap();
        let p = problem(res, 422, "request.validation_failed").await;
        assert_eq!(p["errors"][0]["pointer"], "/code");
        let res = app
            .put(path)
            .header("If-Match", "\"2\"")
            .json(&json!({"name": "x", "level": "city"}))
            .send()
            .await
            .unwrap();
        problem(res, 422, "request.validation_failed").await;
        let res = app
            .put("/api/v1/regions/430499")
            .header("If-Match", "*")
            .json(&json!({"name": "x"}))
            .send()
            .await
            .unwrap();
        problem(res, 404, "region.not_found").await;
        let (_, body) = json(app.get(path).send().await.unwrap()).await;
        assert_eq!(body["name"], "衡东县（改）");
    })
    .await;
}

#[tokio::test]
async fn soft_delete_and_recreate() {
    on_each_db(|app| async move {
        let res = app.delete("/api/v1/regions/430400").send().await.unwrap();
        problem(res, 409, "region.has_children").await;
        let res = app
            .delete("/api/v1/regions/430424")
            .header("If-Match", "\"5\"")
            .send()
            .await
            .unwrap();
        problem(res, 412, "request.precondition_failed").await;
        let res = app
            .delete("/api/v1/regions/430424")
            .header("If-Match", "\"1\"")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 204);
        let res = app.get("/api/v1/regions/430424").send().await.unwrap();
        problem(res, 404, "region.not_found").await;
        let res = app.delete("/api/v1/regions/430424").send().await.unwrap();
        problem(res, 404, "region.not_found").await;
        let (_, body) = json(app.get("/api/v1/regions?under=4304").send().await.unwrap()).await;
        assert!(!codes(&body).contains(&"430424".to_owned()));
        // The row is kept (soft delete): the database still has it, marked deleted.
        use sea_orm::{ConnectionTrait, Statement};
        let row = app
            .db
            .query_one_raw(Statement::from_string(
                app.db.get_database_backend(),
                "SELECT deleted_at IS NOT NULL AS gone FROM regions WHERE code = '430424'",
            ))
            .await
            .unwrap()
            .expect("row kept");
        assert!(row.try_get::<bool>("", "gone").unwrap());
        // Creating it again brings it back with a newer version.
        let res = app
            .post("/api/v1/regions")
            .json(&json!({"code": "430424", "name": "衡东县"}))
            .send()
            .await
            .unwrap();
        let (s, body) = json(res).await;
        assert_eq!((s, body["version"].as_i64()), (201, Some(3)));
    })
    .await;
}

#[tokio::test]
async fn concurrent_writes_do_not_fail() {
    on_each_db(|app| async move {
        // Writers race for the database; on SQLite each write transaction takes the lock at
        // once, so none fails with "database is locked".
        let codes = [
            "430405", "430406", "430407", "430408", "430412", "430421", "430422", "430423",
        ];
        let mut tasks = Vec::new();
        for code in codes {
            let app = app.clone();
            tasks.push(tokio::spawn(async move {
                let res = app
                    .put(&format!("/api/v1/regions/{code}"))
                    .header("If-Match", "*")
                    .json(&json!({"name": format!("{code} 改")}))
                    .send()
                    .await
                    .unwrap();
                res.status().as_u16()
            }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap(), 200);
        }
    })
    .await;
}
