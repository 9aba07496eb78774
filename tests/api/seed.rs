//! Loads the seed fixture through the HTTP API, item by item, as a county system would.

use jixiao::import::{ImportFile, SEED, parse};
use serde_json::{Value, json};

use crate::helpers::{TestApp, json};

/// The ids the load produced.
pub struct Loaded {
    pub file: ImportFile,
    pub fund_ids: Vec<String>,
    pub project_ids: Vec<(String, String)>,
    /// 附件4, then the two 附件5 evaluations.
    pub evaluation_ids: Vec<String>,
}

async fn send(req: reqwest::RequestBuilder, body: &impl serde::Serialize, want: u16) -> Value {
    let (s, v) = json(req.json(body).send().await.unwrap()).await;
    assert_eq!(s, want, "{v}");
    v
}

pub async fn load_seed(app: &TestApp) -> Loaded {
    let file = parse(SEED).expect("fixture");
    for d in &file.departments {
        send(app.post("/api/v1/departments"), d, 201).await;
    }
    for p in &file.profiles {
        send(
            app.put(&format!(
                "/api/v1/departments/{}/profiles/{}",
                p.department, p.year
            )),
            &p.profile,
            201,
        )
        .await;
    }
    let mut project_ids = Vec::new();
    for p in &file.projects {
        let v = send(app.post("/api/v1/projects"), &p.project, 201).await;
        project_ids.push((p.reference.clone(), v["id"].as_str().unwrap().to_owned()));
    }
    let mut fund_ids = Vec::new();
    for f in &file.funds {
        let mut body = serde_json::to_value(&f.fund).unwrap();
        if let Some(r) = &f.project_ref {
            let id = &project_ids.iter().find(|(k, _)| k == r).unwrap().1;
            body["project"] = json!(id);
        }
        let v = send(app.post("/api/v1/funds"), &body, 201).await;
        fund_ids.push(v["id"].as_str().unwrap().to_owned());
    }
    for f in &file.finances {
        send(
            app.put(&format!(
                "/api/v1/departments/{}/finances/{}",
                f.department, f.year
            )),
            &f.finance,
            201,
        )
        .await;
    }
    let mut evaluation_ids = Vec::new();
    for e in &file.evaluations {
        let mut body = serde_json::to_value(&e.evaluation).unwrap();
        if let Some(r) = &e.project_ref {
            let id = &project_ids.iter().find(|(k, _)| k == r).unwrap().1;
            body["project"] = json!(id);
        }
        let v = send(app.post("/api/v1/evaluations"), &body, 201).await;
        evaluation_ids.push(v["id"].as_str().unwrap().to_owned());
    }
    Loaded {
        file,
        fund_ids,
        project_ids,
        evaluation_ids,
    }
}
