//! A budget code names one live department in the whole service (issue #12, point 9): a
//! county cannot take, by create or by rename, a code another county holds, so city and
//! province callers never meet two departments with one code.

use serde_json::{Value, json};

use crate::helpers::{json, mint, on_each_db, problem};

fn department(code: &str, name: &str, region: &str) -> Value {
    json!({"budget_code": code, "name": name, "region": region, "kind": "administrative"})
}

#[tokio::test]
async fn budget_codes_are_unique_across_regions_on_create_and_rename() {
    on_each_db(|app| async move {
        let county_a = app.as_(Some(mint(&app.settings, "admin", "430424", &[])));
        let county_b = app.as_(Some(mint(&app.settings, "admin", "430426", &[])));
        let city = app.as_(Some(mint(&app.settings, "admin", "430400", &[])));

        let res = county_a
            .post("/api/v1/departments")
            .json(&department("B-001", "衡东县甲局", "430424"))
            .send()
            .await
            .unwrap();
        let (s, a) = json(res).await;
        assert_eq!(s, 201, "{a}");

        // Create: another county cannot take the code.
        let res = county_b
            .post("/api/v1/departments")
            .json(&department("B-001", "祁东县乙局", "430426"))
            .send()
            .await
            .unwrap();
        let p = problem(res, 409, "department.budget_code_taken").await;
        assert_eq!(p["errors"][0]["pointer"], "/budget_code", "{p}");
        assert!(
            p.get("existing").is_none(),
            "the other department is not named: {p}"
        );

        // Rename: neither can it rename its own department to it.
        let res = county_b
            .post("/api/v1/departments")
            .json(&department("B-002", "祁东县乙局", "430426"))
            .send()
            .await
            .unwrap();
        let (s, b) = json(res).await;
        assert_eq!(s, 201, "{b}");
        let res = county_b
            .put("/api/v1/departments/B-002")
            .header("if-match", "\"1\"")
            .json(&department("B-001", "祁东县乙局", "430426"))
            .send()
            .await
            .unwrap();
        let p = problem(res, 409, "department.budget_code_taken").await;
        assert_eq!(p["errors"][0]["pointer"], "/budget_code", "{p}");

        // The city addresses both by code, without ambiguity.
        for (code, id) in [("B-001", &a["id"]), ("B-002", &b["id"])] {
            let (s, d) = json(
                city.get(&format!("/api/v1/departments/{code}"))
                    .send()
                    .await
                    .unwrap(),
            )
            .await;
            assert_eq!((s, &d["id"]), (200, id), "{d}");
        }

        // A deleted department's code is free again.
        let res = county_a
            .delete("/api/v1/departments/B-001")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 204);
        let res = county_b
            .put("/api/v1/departments/B-002")
            .header("if-match", "\"1\"")
            .json(&department("B-001", "祁东县乙局", "430426"))
            .send()
            .await
            .unwrap();
        let (s, renamed) = json(res).await;
        assert_eq!(
            (s, &renamed["budget_code"]),
            (200, &json!("B-001")),
            "{renamed}"
        );
        // ...and then held by the new owner: the old one cannot come back with it.
        let res = county_a
            .post("/api/v1/departments")
            .json(&department("B-001", "衡东县甲局", "430424"))
            .send()
            .await
            .unwrap();
        problem(res, 409, "department.budget_code_taken").await;
    })
    .await;
}
