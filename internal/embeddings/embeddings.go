// Package embeddings is a client of an OpenAI-compatible embeddings
// endpoint (POST {base}/embeddings), such as a self-hosted multilingual
// embedding server: the optional second opinion of package understand.
//
// Import limits: the standard library.
package embeddings

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// Client calls an embeddings endpoint. It is safe for concurrent use.
type Client struct {
	url   string
	model string
	key   string
	hc    *http.Client
}

// New returns a client of base (".../v1"), asking for model, with key as a
// bearer token when set. hc nil means http.DefaultClient; the caller's
// context bounds every call.
func New(base, model, key string, hc *http.Client) *Client {
	if hc == nil {
		hc = http.DefaultClient
	}
	return &Client{url: strings.TrimRight(base, "/") + "/embeddings", model: model, key: key, hc: hc}
}

// maxResponse bounds a response body: 64 texts × 4,096 floats in JSON.
const maxResponse = 32 << 20

// Embed returns one vector per text, in order.
func (c *Client) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	body, err := json.Marshal(map[string]any{"model": c.model, "input": texts})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("embeddings: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if c.key != "" {
		req.Header.Set("Authorization", "Bearer "+c.key)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		// The error names the URL, never the texts.
		return nil, fmt.Errorf("embeddings: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
		return nil, fmt.Errorf("embeddings: %s", resp.Status)
	}
	var out struct {
		Data []struct {
			Embedding []float32 `json:"embedding"`
			Index     int       `json:"index"`
		} `json:"data"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxResponse)).Decode(&out); err != nil {
		return nil, fmt.Errorf("embeddings: malformed response: %w", err)
	}
	vecs := make([][]float32, len(texts))
	for _, d := range out.Data {
		if d.Index < 0 || d.Index >= len(texts) || len(d.Embedding) == 0 {
			return nil, errors.New("embeddings: malformed response: index out of range or empty vector")
		}
		vecs[d.Index] = d.Embedding
	}
	for _, v := range vecs {
		if v == nil {
			return nil, fmt.Errorf("embeddings: %d texts sent, %d vectors back", len(texts), len(out.Data))
		}
	}
	return vecs, nil
}
