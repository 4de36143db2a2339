# syntax=docker/dockerfile:1
# Build a static binary, then run it as an unprivileged user.
# Base images are pinned by tag; pin by digest in your registry mirror for
# fully reproducible builds.
FROM golang:1.26.8-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
# The same build command .ci/run exercises (no Docker engine needed there).
RUN mkdir -p /out/data && CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/reliefgap ./cmd/reliefgap \
 && /out/reliefgap version

FROM gcr.io/distroless/static-debian12:nonroot
ARG VERSION=dev
LABEL org.opencontainers.image.title="reliefgap" \
      org.opencontainers.image.description="How far the supply of controlled pain medicines falls short of medical need, country by country" \
      org.opencontainers.image.version="${VERSION}"
COPY --from=build /out/reliefgap /usr/local/bin/reliefgap
COPY --from=build --chown=nonroot:nonroot /out/data /data
WORKDIR /data
USER nonroot:nonroot
# The SQLite default lives in /data: mount a volume there to keep it. With
# PostgreSQL (RELIEFGAP_DB=postgres://…) the volume holds nothing.
VOLUME ["/data"]
ENV RELIEFGAP_ADDR=0.0.0.0:8080 RELIEFGAP_DB=sqlite:/data/reliefgap.db
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD ["/usr/local/bin/reliefgap", "healthcheck"]
# The command is an argument, so "docker run IMAGE migrate" migrates.
ENTRYPOINT ["/usr/local/bin/reliefgap"]
CMD ["serve"]
