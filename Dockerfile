# Multi-stage build: compile in the Rust image, run in a small Debian image as a non-root user.
# No Docker engine runs on the development machines; build the image elsewhere:
#   docker build -t jixiao . && docker run -p 8080:8080 -v jixiao-data:/var/lib/jixiao jixiao

FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY migrations ./migrations
COPY vendor ./vendor
COPY benches ./benches
COPY src ./src
RUN cargo build --release --locked --bin jixiao \
    && strip target/release/jixiao

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /var/lib/jixiao --shell /usr/sbin/nologin jixiao \
    && mkdir -p /var/lib/jixiao \
    && chown jixiao:jixiao /var/lib/jixiao
COPY --from=build /src/target/release/jixiao /usr/local/bin/jixiao
USER jixiao
WORKDIR /var/lib/jixiao
# The embedded SQLite database lives on this volume unless JIXIAO_DATABASE_URL points elsewhere.
VOLUME ["/var/lib/jixiao"]
ENV JIXIAO_LISTEN=0.0.0.0:8080 \
    JIXIAO_DATABASE_URL=sqlite:///var/lib/jixiao/jixiao.db?mode=rwc
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["/usr/local/bin/jixiao", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/jixiao"]
CMD ["serve"]
