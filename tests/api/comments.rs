//! The comment thread of an evaluation: unit and reviewers write, on the evaluation or on a
//! row, with author, time and role; viewers only read; every comment is in the history and the
//! change feed; bad input is refused at its pointer; outside the scope is 404.

use serde_json::{Value, json};

use crate::helpers::{TestApp, json, on_each_db, problem};
use crate::reviews::{deductions, put_review, submitted};

async fn post(app: &TestApp, id: &str, body: Value) -> reqwest::Response {
    app.post(&format!("/api/v1/evaluations/{id}/comments"))
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn get(app: &TestApp, path: &str) -> (u16, Value) {
    json(app.get(path).send().await.unwrap()).await
}

#[tokio::test]
async fn unit_and_reviewers_write_a_thread_that_viewers_read() {
    on_each_db(|app| async move {
        let id = submitted(&app, None).await;
        let reviewer = app.as_(Some(app.token("reviewer", "430400")));
        let submitter = app.as_(Some(app.token("submitter", "430424")));
        let viewer = app.as_(Some(app.token("viewer", "430400")));
        let res = post(&reviewer, &id, json!({"text": " 请附投诉台账 ", "row": 3})).await;
        assert_eq!(res.status(), 201);
        let location = res.headers()["location"].to_str().unwrap().to_owned();
        let (_, first) = json(res).await;
        assert_eq!(first["text"], "请附投诉台账");
        assert_eq!(first["row"], 3);
        assert_eq!(first["author"], "reviewer@430400");
        assert_eq!(
            (&first["role"], &first["role_label_zh"]),
            (&json!("reviewer"), &json!("复核"))
        );
        assert_eq!(first["evaluation_version"], 4);
        assert_eq!(
            location,
            format!(
                "/api/v1/evaluations/{id}/comments/{}",
                first["id"].as_str().unwrap()
            )
        );
        let (s, second) = json(post(&submitter, &id, json!({"text": "台账已上传"})).await).await;
        assert_eq!(s, 201, "{second}");
        assert!(second["row"].is_null());
        assert_eq!(second["role"], "submitter");
        // Viewers read, and do not write.
        problem(
            post(&viewer, &id, json!({"text": "x"})).await,
            403,
            "auth.forbidden",
        )
        .await;
        let (s, thread) = get(&viewer, &format!("/api/v1/evaluations/{id}/comments")).await;
        assert_eq!(s, 200, "{thread}");
        assert_eq!(thread["items"], json!([first.clone(), second.clone()]));
        let (_, on_row) = get(&viewer, &format!("/api/v1/evaluations/{id}/comments?row=3")).await;
        assert_eq!(on_row["items"], json!([first.clone()]));
        let (s, one) = get(&submitter, &location).await;
        assert_eq!((s, &one), (200, &first));
        problem(
            app.get(&format!("/api/v1/evaluations/{id}/comments/nope"))
                .send()
                .await
                .unwrap(),
            404,
            "comment.not_found",
        )
        .await;
    })
    .await;
}

#[tokio::test]
async fn bad_comments_are_refused_at_their_pointers_and_scope_holds() {
    on_each_db(|app| async move {
        let id = submitted(&app, None).await;
        let reviewer = app.as_(Some(app.token("reviewer", "430400")));
        let p = problem(
            post(&reviewer, &id, json!({"text": "   ", "row": 9})).await,
            422,
            "request.validation_failed",
        )
        .await;
        let got: Vec<(&str, &str)> = p["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["pointer"].as_str().unwrap(), e["code"].as_str().unwrap()))
            .collect();
        assert_eq!(
            got,
            [("/text", "field.required"), ("/row", "comment.unknown_row")],
            "{p}"
        );
        let long = "评".repeat(2001);
        problem(
            post(&reviewer, &id, json!({"text": long})).await,
            422,
            "request.validation_failed",
        )
        .await;
        problem(
            post(&reviewer, &id, json!({"text": "x", "author": "me"})).await,
            422,
            "request.validation_failed",
        )
        .await;
        // Another county's unit and reviewer do not see the evaluation or its thread.
        for other in [
            app.token("submitter", "430421"),
            app.token("reviewer", "430421"),
        ] {
            let other = app.as_(Some(other));
            problem(
                post(&other, &id, json!({"text": "x"})).await,
                404,
                "evaluation.not_found",
            )
            .await;
            let (s, _) = get(&other, &format!("/api/v1/evaluations/{id}/comments")).await;
            assert_eq!(s, 404);
        }
        // Nothing was written by the refused comments.
        let (_, thread) = get(&reviewer, &format!("/api/v1/evaluations/{id}/comments")).await;
        assert_eq!(thread["items"], json!([]));
    })
    .await;
}

#[tokio::test]
async fn comments_are_in_the_history_and_the_feed_and_keep_the_final_score() {
    on_each_db(|app| async move {
        let id = submitted(&app, None).await;
        let reviewer = app.as_(Some(app.token("reviewer", "430400")));
        let (s, v) = json(put_review(&reviewer, &id, 3, deductions()).await).await;
        assert_eq!(s, 200, "{v}");
        let (s, c) = json(
            post(
                &reviewer,
                &id,
                json!({"text": "扣分依据见复核意见", "row": 6}),
            )
            .await,
        )
        .await;
        assert_eq!(s, 201, "{c}");
        assert_eq!(c["evaluation_version"], 5);
        // The final score is still the review's.
        let (_, e) = get(&reviewer, &format!("/api/v1/evaluations/{id}")).await;
        assert_eq!(
            (&e["basis"], &e["total"], &e["version"]),
            (&json!("reviewed"), &v["final_total"], &json!(5))
        );
        // The history: `commented`, with the comment under /comments/{id}.
        let (_, h) = get(&reviewer, &format!("/api/v1/evaluations/{id}/history")).await;
        let last = h.as_array().unwrap().last().unwrap();
        assert_eq!(
            (&last["action"], &last["actor"]),
            (&json!("commented"), &json!("reviewer@430400"))
        );
        let pointer = format!("/comments/{}", c["id"].as_str().unwrap());
        assert!(
            last["changes"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x["pointer"] == pointer.as_str()
                    && x["after"]["text"] == "扣分依据见复核意见"
                    && x["after"]["row"] == 6),
            "{last}"
        );
        // The feed: the comment as GET answers it, for those who see the evaluation.
        let (_, feed) = get(&reviewer, "/api/v1/changes?page_size=500").await;
        let entries: Vec<&Value> = feed["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["entity"] == "comment")
            .collect();
        assert_eq!(entries.len(), 1, "{feed}");
        assert_eq!(
            (&entries[0]["id"], &entries[0]["op"], &entries[0]["data"]),
            (&c["id"], &json!("created"), &c)
        );
        let other = app.as_(Some(app.token("reviewer", "430421")));
        let (_, feed) = get(&other, "/api/v1/changes?page_size=500").await;
        assert!(
            !feed["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["entity"] == "comment"),
            "{feed}"
        );
    })
    .await;
}
