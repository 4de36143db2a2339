package httpapi

import (
	"encoding/json"
	"net/http"
	"sync"

	"github.com/gin-gonic/gin"
)

// respCache keeps encoded gap responses by ETag. The ETag is derived from
// the data version (which changes whenever published data or factor tables
// change), the URL and the model, so an entry can never be stale: a change
// of data makes a new key. The cache is bounded and simply emptied when full.
type respCache struct {
	mu      sync.Mutex
	entries map[string][]byte
	max     int
}

func newRespCache(max int) *respCache {
	return &respCache{entries: map[string][]byte{}, max: max}
}

func (r *respCache) get(etag string) ([]byte, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	b, ok := r.entries[etag]
	return b, ok
}

func (r *respCache) put(etag string, b []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.entries) >= r.max {
		r.entries = map[string][]byte{}
	}
	r.entries[etag] = b
}

// cachedJSON answers from the cache when the response for this ETag was
// computed before; otherwise it computes, encodes, keeps and writes it.
func (s *Server) cachedJSON(c *gin.Context, compute func() (any, error)) error {
	etag := c.Writer.Header().Get("ETag")
	if etag != "" {
		if b, ok := s.cache.get(etag); ok {
			c.Data(http.StatusOK, "application/json; charset=utf-8", b)
			return nil
		}
	}
	v, err := compute()
	if err != nil {
		return err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if etag != "" {
		s.cache.put(etag, b)
	}
	c.Data(http.StatusOK, "application/json; charset=utf-8", b)
	return nil
}
