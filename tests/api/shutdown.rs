//! The binary: start-up settings, the port it reports, and graceful shutdown on SIGTERM.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::helpers::{TEST_SECRET, mint};

const BIN: &str = env!("CARGO_BIN_EXE_jixiao");

/// Starts the binary on port 0 and returns it with the port its log reported.
fn start(dir: &tempfile::TempDir, extra: &[&str]) -> (Child, u16, mpsc::Receiver<String>) {
    let mut child = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--database"])
        .arg(format!("sqlite://{}/j.db?mode=rwc", dir.path().display()))
        .args(extra)
        .env_remove("JIXIAO_JWT_SECRET")
        .env("JIXIAO_LOG_FORMAT", "json")
        .env_remove("JIXIAO_LISTEN")
        .env_remove("JIXIAO_DATABASE_URL")
        .env_remove("DATABASE_URL")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("start jixiao");
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let port = loop {
        let line = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("a log line");
        let v: serde_json::Value = serde_json::from_str(&line).expect("JSON log line");
        if v["message"] == "listening" {
            break v["port"].as_u64().expect("port") as u16;
        }
    };
    (child, port, rx)
}

#[test]
fn sigterm_lets_in_flight_requests_finish() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, port, rx) = start(&dir, &["--jwt-secret", TEST_SECRET]);
    assert_ne!(port, 0);
    let mut settings = jixiao::config::Settings::for_database("sqlite://unused");
    settings.auth.jwt_secret = Some(TEST_SECRET.to_owned());
    let token = mint(&settings, "admin", "430400", &[]);
    let body = br#"{"code":"430499","name":"in flight"}"#;
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "POST /api/v1/regions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
         Authorization: Bearer {token}\r\nContent-Length: {}\r\nExpect: 100-continue\r\n\
         Connection: close\r\n\r\n",
        body.len()
    )
    .unwrap();
    // "100 Continue" proves the server has the request in hand: it is now in flight.
    let mut interim = [0u8; 25];
    stream.read_exact(&mut interim).unwrap();
    assert!(String::from_utf8_lossy(&interim).starts_with("HTTP/1.1 100 Continue"));
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    stream.write_all(body).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 201"), "{response}");
    let exit = child.wait().unwrap();
    assert!(exit.success(), "{exit:?}");
    let log: Vec<String> = rx.try_iter().collect();
    assert!(
        log.iter().any(|l| l.contains("\"status\":201")),
        "request logged: {log:?}"
    );
}

#[test]
fn bad_settings_stop_start_up_with_a_message() {
    let out = Command::new(BIN)
        .args(["serve"])
        .env("JIXIAO_LISTEN", "nowhere")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("`listen`") && err.contains("JIXIAO_LISTEN"),
        "{err}"
    );
    let out = Command::new(BIN)
        .args(["serve", "--database", "mysql://x"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("database_url"));
}

#[test]
fn serve_needs_a_key_unless_dev() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--database"])
        .arg(format!("sqlite://{}/j.db?mode=rwc", dir.path().display()))
        .env_remove("JIXIAO_JWT_SECRET")
        .env_remove("JIXIAO_DEV")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no JWT key") && err.contains("--dev"), "{err}");

    // --dev prints an admin token that the server accepts.
    let (mut child, port, rx) = start(&dir, &["--dev"]);
    let token = loop {
        let line = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("the dev token");
        if line.starts_with("eyJ") {
            break line;
        }
    };
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        stream,
        "GET /api/v1/regions/430424 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    child.wait().unwrap();
}

#[test]
fn token_command_mints_what_serve_accepts() {
    let out = Command::new(BIN)
        .args([
            "token",
            "--role",
            "submitter",
            "--region",
            "430424",
            "--department",
            "901001",
            "--ttl",
            "2h",
        ])
        .env("JIXIAO_JWT_SECRET", TEST_SECRET)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    let mut settings = jixiao::config::Settings::for_database("sqlite://unused");
    settings.auth.jwt_secret = Some(TEST_SECRET.to_owned());
    let keys = jixiao::auth::KeySet::load(&settings.auth).unwrap();
    let p = keys.verify(&token).unwrap();
    assert_eq!(p.role, jixiao::domain::policy::Role::Submitter);
    assert_eq!(p.region.as_str(), "430424");
    assert_eq!(p.departments, Some(vec!["901001".to_owned()]));
    let out = Command::new(BIN)
        .args(["token", "--role", "boss", "--region", "430424"])
        .env("JIXIAO_JWT_SECRET", TEST_SECRET)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let out = Command::new(BIN)
        .args(["token", "--role", "admin", "--region", "430424"])
        .env_remove("JIXIAO_JWT_SECRET")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("jwt_secret"));
}

#[test]
fn import_is_all_or_nothing_and_demo_loads_the_seed() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/i.db?mode=rwc", dir.path().display());
    let mut file: serde_json::Value = serde_json::from_str(jixiao::import::SEED).unwrap();
    file["funds"][20]["fund"]["executed"] = serde_json::json!("-1");
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, file.to_string()).unwrap();
    let out = Command::new(BIN)
        .args(["import", "--database", &db])
        .arg(&bad)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    // The parse error points at the field; nothing was written.
    assert!(err.contains("/funds/20/fund/executed"), "{err}");
    file["funds"][20]["fund"]["executed"] = serde_json::json!("1");
    file["funds"][21]["fund"]["year"] = serde_json::json!(1999);
    std::fs::write(&bad, file.to_string()).unwrap();
    let out = Command::new(BIN)
        .args(["import", "--database", &db])
        .arg(&bad)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("/funds/21/fund/year") && err.contains("nothing was imported"),
        "{err}"
    );
    let count = || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let conn = jixiao::store::connect(&db, 1).await.unwrap();
            use sea_orm::{EntityTrait, PaginatorTrait};
            let n = jixiao::store::departments::Entity::find()
                .count(&conn)
                .await
                .unwrap();
            let f = jixiao::store::funds::Entity::find()
                .count(&conn)
                .await
                .unwrap();
            (n, f)
        })
    };
    assert_eq!(count(), (0, 0), "a failed import leaves nothing behind");

    let good = dir.path().join("good.json");
    std::fs::write(&good, jixiao::import::SEED).unwrap();
    let out = Command::new(BIN)
        .args(["import", "--database", &db])
        .arg(&good)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(
            "2 department(s), 1 profile(s), 2 project(s), 25 fund(s), 1 finance record(s), 3 evaluation(s)"
        )
    );
    assert_eq!(count(), (2, 25));

    let demo_db = format!("sqlite://{}/demo.db?mode=rwc", dir.path().display());
    let out = Command::new(BIN)
        .args(["demo", "--database", &demo_db])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("imported 2 department(s)"));
    let out = Command::new(BIN)
        .args(["demo", "--database", &demo_db])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("already loaded"));
}
