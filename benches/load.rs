//! A small HTTP load generator for the benchmark harness (`benches/run.sh`):
//!
//! ```sh
//! cargo bench --bench load -- --url http://127.0.0.1:8080/api/v1/evaluations?page_size=100 \
//!     --token "$TOKEN" --connections 64 --duration 10
//! cargo bench --bench load -- --url http://127.0.0.1:8080/api/v1/evaluations --method POST \
//!     --body evaluation.json --connections 8 --requests 2000
//! ```
//!
//! N workers, each on its own keep-alive connection, send requests back to back for a fixed
//! time or until a request count is reached; it prints requests per second, p50/p99/max
//! latency, errors (any status outside 2xx, or a failed request) and a `RESULT` line for
//! scripts. Only loopback addresses are allowed, and time and count are bounded.
//!
//! In a POST body, `{dept}` and `{year}` are replaced per request (request n: budget code
//! `G` + n / 20 on six digits, year 2000 + n % 20), so that each request creates a new
//! evaluation over the departments `jixiao demo --departments N` made.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

const MAX_CONNECTIONS: usize = 1024;
const MAX_SECONDS: u64 = 600;
const MAX_REQUESTS: u64 = 10_000_000;

struct Args {
    /// Request `n` goes to `urls[n % urls.len()]` (several instances of one service).
    urls: Vec<String>,
    method: reqwest::Method,
    token: Option<String>,
    body: Option<String>,
    connections: usize,
    duration: Duration,
    requests: Option<u64>,
    warmup: Duration,
    /// Added to the request number in `{dept}` and `{year}` (runs that must not collide).
    offset: u64,
}

fn usage() -> ! {
    eprintln!(
        "usage: cargo bench --bench load -- --url URL [--url URL2 …] [--token T] [--method GET|POST] \
         [--body FILE] [--connections N] [--duration SECS] [--requests N] [--warmup SECS] \
         [--offset N]"
    );
    std::process::exit(2)
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        urls: Vec::new(),
        method: reqwest::Method::GET,
        token: None,
        body: None,
        connections: 8,
        duration: Duration::from_secs(10),
        requests: None,
        warmup: Duration::from_secs(1),
        offset: 0,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        // `cargo bench` adds `--bench`.
        if flag == "--bench" {
            continue;
        }
        if flag == "--help" || flag == "-h" {
            usage();
        }
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let number = |v: &str| {
            v.parse::<u64>()
                .map_err(|_| format!("{flag}: `{v}` is not a whole number"))
        };
        match flag.as_str() {
            "--url" => args.urls.push(value),
            "--token" => args.token = Some(value).filter(|t| !t.is_empty()),
            "--method" => {
                args.method = match value.to_ascii_uppercase().as_str() {
                    "GET" => reqwest::Method::GET,
                    "POST" => reqwest::Method::POST,
                    other => return Err(format!("--method {other}: GET or POST")),
                }
            }
            "--body" => {
                args.body = Some(
                    std::fs::read_to_string(&value).map_err(|e| format!("--body {value}: {e}"))?,
                )
            }
            "--connections" => {
                args.connections = usize::try_from(number(&value)?).unwrap_or(usize::MAX)
            }
            "--duration" => args.duration = Duration::from_secs(number(&value)?),
            "--requests" => args.requests = Some(number(&value)?),
            "--warmup" => args.warmup = Duration::from_secs(number(&value)?),
            "--offset" => args.offset = number(&value)?,
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    if args.urls.is_empty() {
        return Err("--url is required".into());
    }
    for u in &args.urls {
        let url = reqwest::Url::parse(u).map_err(|e| format!("--url {u}: {e}"))?;
        let host = url.host_str().unwrap_or("");
        let loopback = host == "localhost"
            || host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback());
        if !loopback || url.scheme() != "http" {
            return Err("--url must be http:// on a loopback address".into());
        }
    }
    if !(1..=MAX_CONNECTIONS).contains(&args.connections) {
        return Err(format!("--connections: 1 to {MAX_CONNECTIONS}"));
    }
    if args.duration.is_zero() || args.duration > Duration::from_secs(MAX_SECONDS) {
        return Err(format!("--duration: 1 to {MAX_SECONDS} seconds"));
    }
    if args.warmup > Duration::from_secs(60) {
        return Err("--warmup: at most 60 seconds".into());
    }
    if args.requests.is_some_and(|n| n == 0 || n > MAX_REQUESTS) {
        return Err(format!("--requests: 1 to {MAX_REQUESTS}"));
    }
    if args.method == reqwest::Method::POST && args.body.is_none() {
        return Err("POST needs --body FILE".into());
    }
    Ok(args)
}

/// The body of request `n`: `{dept}` and `{year}` filled in.
fn body_for(template: &str, n: u64) -> String {
    template
        .replace("{dept}", &format!("G{:06}", n / 20))
        .replace("{year}", &(2000 + n % 20).to_string())
}

#[derive(Default)]
struct Tally {
    /// Latencies in microseconds of measured requests.
    latencies: Vec<u32>,
    errors: u64,
    bytes: u64,
    first_error: Option<String>,
}

struct Shared {
    args: Args,
    /// Requests sent (the POST counter as well).
    sent: AtomicU64,
    warm_until: Instant,
    stop_at: Instant,
}

async fn worker(shared: Arc<Shared>) -> Tally {
    let client = match reqwest::Client::builder()
        .pool_max_idle_per_host(1)
        .timeout(Duration::from_secs(30))
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            return Tally {
                errors: 1,
                first_error: Some(e.to_string()),
                ..Tally::default()
            };
        }
    };
    let a = &shared.args;
    let mut tally = Tally::default();
    loop {
        let now = Instant::now();
        if now >= shared.stop_at {
            break;
        }
        let n = shared.sent.fetch_add(1, Ordering::Relaxed);
        if a.requests.is_some_and(|max| n >= max) {
            break;
        }
        let url = &a.urls[usize::try_from(n).unwrap_or(0) % a.urls.len()];
        let mut request = client.request(a.method.clone(), url);
        if let Some(t) = &a.token {
            request = request.bearer_auth(t);
        }
        if let Some(template) = &a.body {
            request = request
                .header("content-type", "application/json")
                .body(body_for(template, n.saturating_add(a.offset)));
        }
        let started = Instant::now();
        let outcome = match request.send().await {
            Ok(res) => {
                let status = res.status();
                match res.bytes().await {
                    Ok(b) if status.is_success() => Ok(b.len()),
                    Ok(b) => Err(format!(
                        "{status}: {}",
                        String::from_utf8_lossy(&b[..b.len().min(300)])
                    )),
                    Err(e) => Err(e.to_string()),
                }
            }
            Err(e) => Err(e.to_string()),
        };
        let elapsed = started.elapsed();
        // Requests started during the warm-up are not measured (count mode has none).
        if a.requests.is_none() && started < shared.warm_until {
            continue;
        }
        match outcome {
            Ok(len) => {
                tally.bytes += len as u64;
                tally
                    .latencies
                    .push(u32::try_from(elapsed.as_micros()).unwrap_or(u32::MAX));
            }
            Err(e) => {
                tally.errors += 1;
                tally.first_error.get_or_insert(e);
            }
        }
    }
    tally
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    f64::from(sorted[rank.clamp(1, sorted.len()) - 1]) / 1000.0
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}");
            usage();
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            std::process::exit(1);
        }
    };
    let connections = args.connections;
    let counted = args.requests.is_some();
    let warmup = if counted { Duration::ZERO } else { args.warmup };
    let start = Instant::now();
    let shared = Arc::new(Shared {
        warm_until: start + warmup,
        stop_at: start + warmup + args.duration,
        args,
        sent: AtomicU64::new(0),
    });
    let tallies: Vec<Tally> = runtime.block_on(async {
        let handles: Vec<_> = (0..connections)
            .map(|_| tokio::spawn(worker(shared.clone())))
            .collect();
        let mut out = Vec::new();
        for h in handles {
            out.push(h.await.unwrap_or_default());
        }
        out
    });
    let measured = if counted {
        start.elapsed()
    } else {
        start.elapsed().saturating_sub(warmup)
    };
    let mut latencies: Vec<u32> = Vec::new();
    let (mut errors, mut bytes, mut first_error) = (0, 0, None);
    for t in tallies {
        latencies.extend(t.latencies);
        errors += t.errors;
        bytes += t.bytes;
        if first_error.is_none() {
            first_error = t.first_error;
        }
    }
    latencies.sort_unstable();
    let ok = latencies.len() as u64;
    let secs = measured.as_secs_f64().max(1e-9);
    let rps = ok as f64 / secs;
    let (p50, p99) = (percentile(&latencies, 50.0), percentile(&latencies, 99.0));
    let max = percentile(&latencies, 100.0);
    let avg_bytes = bytes.checked_div(ok).unwrap_or(0);
    println!(
        "{} {}: {connections} connections, {ok} ok, {errors} errors in {secs:.1}s",
        shared.args.method,
        shared.args.urls.join(" + ")
    );
    println!(
        "  {rps:.1} requests/s, latency p50 {p50:.2} ms, p99 {p99:.2} ms, max {max:.2} ms, {avg_bytes} bytes per answer"
    );
    if let Some(e) = first_error {
        println!("  first error: {e}");
    }
    println!(
        "RESULT rps={rps:.1} p50_ms={p50:.3} p99_ms={p99:.3} max_ms={max:.3} ok={ok} errors={errors} bytes={avg_bytes}"
    );
}
