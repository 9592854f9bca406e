# syntax=docker/dockerfile:1
# Build: docker build -t teamsbot --build-arg VERSION=$(git describe --always) .
# Run:   docker run -p 8080:8080 -v teamsbot-data:/data teamsbot
# The content (flows, texts, knowledge) is embedded in the binary; mount a
# content folder and set TEAMSBOT_CONTENT to replace it. The classifier of
# the embedded content is trained here (teamsbot train) and shipped in
# /data, so a start reads it instead of training; other content trains at
# its first start and is saved in /data for the next.

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X teamsbot/app.Version=${VERSION}" -o /out/teamsbot ./cmd/teamsbot \
 && /out/teamsbot lint >/dev/null \
 && mkdir -p /out/data \
 && /out/teamsbot train --out /out/data

FROM gcr.io/distroless/static-debian12:nonroot
ARG VERSION=dev
LABEL org.opencontainers.image.title="teamsbot" \
      org.opencontainers.image.description="The TEAMS programme's assistant for migrants in Tuscany: Telegram, WhatsApp and a web chat, in twelve languages" \
      org.opencontainers.image.licenses="EUPL-1.2" \
      org.opencontainers.image.version="${VERSION}"
COPY --from=build /out/teamsbot /teamsbot
COPY --from=build --chown=65532:65532 /out/data /data
ENV TEAMSBOT_ADDR=:8080 TEAMSBOT_DATA=/data
USER 65532:65532
EXPOSE 8080
VOLUME ["/data"]
# Distroless has no shell or curl: the binary probes its own /readyz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 CMD ["/teamsbot", "healthcheck"]
ENTRYPOINT ["/teamsbot"]
CMD ["serve"]
