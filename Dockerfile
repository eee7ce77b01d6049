# valuereport as a container image: `docker build -t valuereport:0.1.0 .`
#
# Build stage: the Rust toolchain of Cargo.toml's rust-version (gcc is in the image, for ring's C
# code). Fonts, the sRGB profile and the built-in wording are compiled into the binary.
FROM rust:1.89-slim-bookworm AS build
WORKDIR /src
COPY . .
# Cache mounts (BuildKit) keep the registry and target/ between builds: a rebuild after a source
# change compiles valuereport only, not its ~300 dependencies.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin valuereport \
    && install -m 0755 target/release/valuereport /usr/local/bin/valuereport

# Runtime: Debian slim with time zones (so TZ=Europe/Madrid makes "today" local for --as-of's
# default). No CA bundle is needed: SMTP over TLS uses the roots compiled into the binary.
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends tzdata \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /usr/local/bin/valuereport /usr/local/bin/valuereport
# The wording catalogs to copy and edit for --templates, and the fonts' licences.
COPY templates/ /usr/share/valuereport/templates/
COPY fonts/README.md fonts/LICENSE-DejaVu.txt fonts/OFL-*.txt /usr/share/doc/valuereport/fonts/
# Not root: a fixed uid, so a volume can be made writable for it (fsGroup / chown 10001).
RUN useradd --system --uid 10001 --no-create-home --home-dir /data valuereport
USER 10001:10001
WORKDIR /data
# Exec form: valuereport is PID 1 and gets SIGTERM itself (it stops cleanly, exit 143).
ENTRYPOINT ["valuereport"]
CMD ["--help"]
