# Build a static binary, then run it as an unprivileged user.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN mkdir -p /out/data && CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/reliefgap ./cmd/reliefgap

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/reliefgap /usr/local/bin/reliefgap
COPY --from=build --chown=nonroot:nonroot /out/data /data
WORKDIR /data
USER nonroot:nonroot
ENV RELIEFGAP_ADDR=0.0.0.0:8080 RELIEFGAP_DB=sqlite:/data/reliefgap.db
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/reliefgap", "serve"]
