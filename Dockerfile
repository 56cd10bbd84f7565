# Dockerfile: `benchgate serve` for self-hosters: Debian 12 slim, a user of
# its own (not root), the database on a volume, /healthz as the health check.
#
#   docker build -t benchgate .
#   docker run -d --name benchgate -p 127.0.0.1:8080:8080 \
#       -v benchgate-data:/var/lib/benchgate benchgate
#   docker exec benchgate benchgate token create --project acme/widgets
#
# The server listens on all of the container's addresses; publish the port
# on loopback, as above, and put a TLS proxy in front of it (SECURITY.md).

# ---- build: the compiler and the -dev packages, then make install ----
FROM debian:12-slim AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        gcc libc6-dev make pkg-config libmicrohttpd-dev libcjson-dev libsqlite3-dev \
        libpq-dev nettle-dev libcurl4-openssl-dev zlib1g-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN make -j"$(nproc)" benchgate \
 && make install DESTDIR=/out PREFIX=/usr/local

# ---- run: the libraries, gnuplot for the charts, curl for the health check,
#      sqlite3 for online backups (docker exec benchgate sqlite3 ... .backup) ----
FROM debian:12-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libmicrohttpd12 libcjson1 libsqlite3-0 libpq5 libnettle8 libcurl4 gnuplot-nox curl \
        sqlite3 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --user-group --home-dir /var/lib/benchgate --no-create-home \
        --shell /usr/sbin/nologin benchgate \
 && install -d -o benchgate -g benchgate -m 700 /var/lib/benchgate
COPY --from=build /out/usr/local/ /usr/local/
USER benchgate
WORKDIR /var/lib/benchgate
ENV BENCHGATE_DB=/var/lib/benchgate/benchgate.db
VOLUME ["/var/lib/benchgate"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD curl -fsS --max-time 4 http://127.0.0.1:8080/healthz || exit 1
# SIGTERM: finish the requests in flight (30 s at most), then stop
STOPSIGNAL SIGTERM
CMD ["benchgate", "serve", "--listen", "0.0.0.0:8080"]
