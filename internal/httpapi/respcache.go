package httpapi

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/sync/singleflight"
)

// respCache keeps encoded gap responses by ETag, both plain and gzipped, so
// an unchanged figure costs neither a recomputation nor a compression. The
// ETag is derived from the data version (which only goes up), the URL and
// the model, so an entry can never be stale: a change of data makes a new
// key. Concurrent requests for the same cold key compute it once.
type respCache struct {
	entries *lru.Cache[string, cachedBody]
	flight  singleflight.Group
}

// cachedBody is one encoded response in both encodings.
type cachedBody struct {
	plain, gz []byte
}

func newRespCache(max int) *respCache {
	c, err := lru.New[string, cachedBody](max)
	if err != nil {
		panic(err) // only for max <= 0, a programming error
	}
	return &respCache{entries: c}
}

func (r *respCache) get(etag string) (cachedBody, bool) { return r.entries.Get(etag) }

func (r *respCache) put(etag string, b cachedBody) { r.entries.Add(etag, b) }

// encodeBody encodes v as JSON and gzips it once.
func encodeBody(v any) (cachedBody, error) {
	plain, err := json.Marshal(v)
	if err != nil {
		return cachedBody{}, err
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
	if _, err := zw.Write(plain); err != nil {
		return cachedBody{}, err
	}
	if err := zw.Close(); err != nil {
		return cachedBody{}, err
	}
	return cachedBody{plain: plain, gz: buf.Bytes()}, nil
}

// acceptsGzip reports whether the client takes gzip-encoded responses.
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		f := strings.Fields(strings.ReplaceAll(strings.TrimSpace(part), ";", " "))
		if len(f) > 0 && (f[0] == "gzip" || f[0] == "*") {
			if len(f) > 1 && strings.ReplaceAll(f[1], " ", "") == "q=0" {
				return false
			}
			return true
		}
	}
	return false
}

// cachedJSON answers from the cache when the response for this ETag was
// computed before; otherwise it computes it (once, however many requests
// wait for it), encodes, keeps and writes it. Routes answered through it
// are left alone by the gzip middleware: the cache holds the gzipped bytes.
func (s *Server) cachedJSON(c *gin.Context, compute func() (any, error)) error {
	etag := c.Writer.Header().Get("ETag")
	body, ok := cachedBody{}, false
	if etag != "" {
		body, ok = s.cache.get(etag)
	}
	if !ok {
		key := etag
		if key == "" {
			key = c.Request.URL.String()
		}
		v, err, _ := s.cache.flight.Do(key, func() (any, error) {
			v, err := compute()
			if err != nil {
				return nil, err
			}
			b, err := encodeBody(v)
			if err != nil {
				return nil, err
			}
			if etag != "" {
				s.cache.put(etag, b)
			}
			return b, nil
		})
		if err != nil {
			return err
		}
		body = v.(cachedBody)
	}
	c.Writer.Header().Add("Vary", "Accept-Encoding")
	if acceptsGzip(c.Request) {
		c.Header("Content-Encoding", "gzip")
		c.Data(http.StatusOK, "application/json; charset=utf-8", body.gz)
		return nil
	}
	c.Data(http.StatusOK, "application/json; charset=utf-8", body.plain)
	return nil
}
