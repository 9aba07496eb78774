//! Logging (JSON lines through `tracing`) and Prometheus metrics.

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry, TextEncoder,
};
use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// Installs the global log subscriber. Safe to call more than once (later calls do nothing).
pub fn init_logging(level: &str, format: LogFormat) {
    let filter = EnvFilter::try_new(level).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false);
    let _ = match format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(false)
            .try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

/// The `method` label of a request: the methods the service knows, and `other` for every
/// other token, so that made-up methods cannot grow the metrics without bound.
pub fn method_label(method: &actix_web::http::Method) -> &'static str {
    match method.as_str() {
        "GET" => "GET",
        "HEAD" => "HEAD",
        "POST" => "POST",
        "PUT" => "PUT",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        "OPTIONS" => "OPTIONS",
        _ => "other",
    }
}

/// The request metrics, labelled by method (see [`method_label`]), route pattern (the
/// router's template, or `unmatched`: never the raw path) and status.
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    read_cache: IntCounterVec,
    read_cache_encoded: IntCounterVec,
}

impl Metrics {
    pub fn new() -> Result<Self, prometheus::Error> {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new("http_requests_total", "HTTP requests answered"),
            &["method", "route", "status"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "Time from receiving a request to sending its response head",
            )
            .buckets(vec![
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
                10.0,
            ]),
            &["method", "route", "status"],
        )?;
        let read_cache = IntCounterVec::new(
            Opts::new(
                "read_cache_answers_total",
                "Dashboard reads by how the read cache answered them: served (a kept answer), \
                 shared (the answer an identical request was computing, waited for), kept \
                 (computed and kept) or computed (computed, not kept: a write came between)",
            ),
            &["outcome"],
        )?;
        let read_cache_encoded = IntCounterVec::new(
            Opts::new(
                "read_cache_encoded_total",
                "Compressed forms of kept answers made (once per answer and coding: gzip, br)",
            ),
            &["coding"],
        )?;
        registry.register(Box::new(read_cache_encoded.clone()))?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(read_cache.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        Ok(Self {
            registry,
            requests,
            latency,
            read_cache,
            read_cache_encoded,
        })
    }

    /// Counts a compressed form of a kept answer made (`gzip` or `br`).
    pub fn read_cache_encoded(&self, coding: &str) {
        self.read_cache_encoded.with_label_values(&[coding]).inc();
    }

    /// Counts a read the read cache saw: `served`, `kept` or `computed`.
    pub fn read_cache(&self, outcome: &str) {
        self.read_cache.with_label_values(&[outcome]).inc();
    }

    pub fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let status = status.to_string();
        let labels = [method, route, status.as_str()];
        self.requests.with_label_values(&labels).inc();
        self.latency.with_label_values(&labels).observe(seconds);
    }

    /// The Prometheus text exposition (format 0.0.4).
    pub fn render(&self) -> Result<String, prometheus::Error> {
        let mut buf = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut buf)?;
        String::from_utf8(buf).map_err(|e| prometheus::Error::Msg(e.to_string()))
    }
}
