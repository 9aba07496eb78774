//! Pages opened from a link: the report and the overview open in a browser without a bearer
//! header, from a short-lived link the API issues to a caller, in that caller's scope; a link
//! opens only its page, is not an API token, and an altered one is refused.

use serde_json::Value;

use crate::helpers::{TestApp, json, on_each_db, problem};
use crate::seed::load_seed;

async fn link(app: &TestApp, path: &str) -> Value {
    let (s, v) = json(app.post(path).send().await.unwrap()).await;
    assert_eq!(s, 200, "{path}: {v}");
    v
}

/// Opens a page as a browser would: no Authorization header.
async fn open(app: &TestApp, url: &str) -> reqwest::Response {
    app.client.get(app.url(url)).send().await.unwrap()
}

fn token_of(url: &str) -> &str {
    url.split_once("link=").unwrap().1
}

#[tokio::test]
async fn the_report_opens_from_its_link_and_only_its_page() {
    on_each_db(|app| async move {
        let loaded = load_seed(&app).await;
        let id = &loaded.evaluation_ids[0];
        let reviewer = app.as_(Some(app.token("reviewer", "430400")));
        let l = link(&reviewer, &format!("/api/v1/evaluations/{id}/report-link")).await;
        let url = l["url"].as_str().unwrap();
        assert!(url.starts_with(&format!("/reports/{id}?link=")), "{l}");
        assert!(l["expires_at"].is_string());
        let res = open(&app, url).await;
        assert_eq!(res.status(), 200);
        let h = res.headers().clone();
        assert_eq!(h["cache-control"], "no-store");
        assert_eq!(h["referrer-policy"], "no-referrer");
        assert!(
            h["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("default-src 'none'")
        );
        let html = res.text().await.unwrap();
        assert!(
            html.contains("部门整体支出绩效自评表"),
            "{}",
            &html[..200.min(html.len())]
        );
        // Only its page: another evaluation's report, the overview.
        let other = &loaded.evaluation_ids[1];
        let token = token_of(url);
        problem(
            open(&app, &format!("/reports/{other}?link={token}")).await,
            401,
            "auth.invalid_link",
        )
        .await;
        problem(
            open(&app, &format!("/overview?link={token}")).await,
            401,
            "auth.invalid_link",
        )
        .await;
        // Altered; missing.
        let mut altered = token.to_owned();
        altered.replace_range(altered.len() - 3.., "AAA");
        problem(
            open(&app, &format!("/reports/{id}?link={altered}")).await,
            401,
            "auth.invalid_link",
        )
        .await;
        assert_eq!(open(&app, &format!("/reports/{id}")).await.status(), 400);
        // A link is not an API token, and an API token is not a link.
        let res = app
            .client
            .get(app.url("/api/v1/evaluations"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401);
        let api_token = app.token("reviewer", "430400");
        problem(
            open(&app, &format!("/reports/{id}?link={api_token}")).await,
            401,
            "auth.invalid_link",
        )
        .await;
        // Outside the caller's scope there is no link to ask for.
        let elsewhere = app.as_(Some(app.token("reviewer", "430421")));
        let res = elsewhere
            .post(&format!("/api/v1/evaluations/{id}/report-link"))
            .send()
            .await
            .unwrap();
        problem(res, 404, "evaluation.not_found").await;
    })
    .await;
}

#[tokio::test]
async fn the_overview_opens_from_its_link_in_the_callers_scope() {
    on_each_db(|app| async move {
        load_seed(&app).await;
        let l = link(&app, "/api/v1/overview-link?year=2024").await;
        let url = l["url"].as_str().unwrap();
        assert!(url.starts_with("/overview?year=2024&link="), "{l}");
        let res = open(&app, url).await;
        assert_eq!(res.status(), 200);
        let html = res.text().await.unwrap();
        for text in [
            "绩效自评总览",
            "湖南省（430000）",
            "年度：2024",
            "2024 年：各地区自评数量与等级",
            "衡东县（430424）",
            "<svg",
            "预算执行率",
            "最常未达成的三级指标",
            "一级指标达成情况",
            "产出指标",
        ] {
            assert!(html.contains(text), "{text}");
        }
        assert!(!html.contains("<script"));
        // Another county's viewer: the same page, with nothing of 衡东县 in it.
        let viewer = app.as_(Some(app.token("viewer", "430421")));
        let l = link(&viewer, "/api/v1/overview-link").await;
        let html = open(&app, l["url"].as_str().unwrap())
            .await
            .text()
            .await
            .unwrap();
        assert!(html.contains("范围内暂无可查看的绩效自评"), "{html}");
        assert!(!html.contains("衡东县"));
    })
    .await;
}
