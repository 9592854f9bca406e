# syntax=docker/dockerfile:1
# Build: docker build -t teamsbot --build-arg VERSION=$(git describe --always) .
# Run:   docker run -p 8080:8080 -v teamsbot-data:/data teamsbot
# The content (flows, texts, knowledge) is embedded in the binary; mount a
# content folder and set TEAMSBOT_CONTENT to replace it.

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X teamsbot/app.Version=${VERSION}" -o /out/teamsbot ./cmd/teamsbot \
 && /out/teamsbot lint >/dev/null \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/teamsbot /teamsbot
COPY --from=build --chown=65532:65532 /out/data /data
ENV TEAMSBOT_ADDR=:8080 TEAMSBOT_DATA=/data
USER 65532:65532
EXPOSE 8080
VOLUME ["/data"]
ENTRYPOINT ["/teamsbot"]
CMD ["serve"]
