package httpapi

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/reliefgap/reliefgap/internal/access"
)

// setCacheHeaders marks a response that may be kept but must be
// revalidated: its ETag changes whenever published data change.
func setCacheHeaders(h http.Header, etag string) {
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("ETag", etag)
	h.Set("Cache-Control", "no-cache")
	h.Set("Vary", "Authorization, Accept") // Accept: text/csv answers CSV
}

// foreverCache marks figures asked as of a data version: they cannot
// change, so they may be kept for ever.
const foreverCache = "public, max-age=31536000, immutable"

// canonicalLink is the permalink of a figures response computed at data
// version v: the same request with as_of=v.
func canonicalLink(u *url.URL, v int64) string {
	q := u.Query()
	q.Set("as_of", strconv.FormatInt(v, 10))
	return "<" + u.Path + "?" + q.Encode() + `>; rel="canonical"`
}

// etagMatches implements If-None-Match's weak comparison.
func etagMatches(ifNoneMatch, etag string) bool {
	if ifNoneMatch == "" {
		return false
	}
	want := strings.TrimPrefix(etag, "W/")
	for _, t := range strings.Split(ifNoneMatch, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == want {
			return true
		}
	}
	return false
}

// figuresConditional computes the ETag of a data response from the data version,
// the request URL and the need model, sets it, and answers 304 when the
// client already has it. It reports whether the response is done.
//
// asOf (0: now) is the data version the figures are asked as of: after the
// current version it is Invalid; otherwise the response is immutable.
// Every figures response links its permalink (Link, rel="canonical").
func (s *Server) figuresConditional(c *gin.Context, model string, variant string, asOf int64) (bool, error) {
	return s.conditionalAt(c, model, variant, asOf, true)
}

// conditional is figuresConditional for data that are not figures: the
// current version, no permalink.
func (s *Server) conditional(c *gin.Context, model string, variant string) (bool, error) {
	return s.conditionalAt(c, model, variant, 0, false)
}

func (s *Server) conditionalAt(c *gin.Context, model string, variant string, asOf int64, figures bool) (bool, error) {
	v, err := s.cfg.Store.DataVersion(c.Request.Context())
	if err != nil {
		return false, err
	}
	if asOf > v {
		return false, access.Errorf(access.Invalid, "", "as_of %d is after the current data version %d", asOf, v)
	}
	if asOf > 0 {
		v = asOf
	}
	h := sha256.New()
	for _, part := range []string{strconv.FormatInt(v, 10), c.Request.URL.Path, c.Request.URL.RawQuery, model, variant} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	etag := `"` + hex.EncodeToString(h.Sum(nil)[:16]) + `"`
	setCacheHeaders(c.Writer.Header(), etag)
	if asOf > 0 {
		c.Header("Cache-Control", foreverCache)
	}
	if figures {
		c.Header("Link", canonicalLink(c.Request.URL, v))
	}
	if etagMatches(c.GetHeader("If-None-Match"), etag) {
		c.Status(http.StatusNotModified)
		c.Writer.WriteHeaderNow()
		return true, nil
	}
	return false, nil
}

// CeilingHandler serves body with the headers of a gap response (and its
// If-None-Match handling) but no work behind it: a load test compares GET
// /api/v1/countries/:iso3/gaps against it to see what the framework, the
// store and the computation cost on top of writing the bytes.
func CeilingHandler(body []byte, etag string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setCacheHeaders(w.Header(), etag)
		if id := r.Header.Get(RequestIDHeader); saneRequestID.MatchString(id) {
			w.Header().Set(RequestIDHeader, id)
		}
		if etagMatches(r.Header.Get("If-None-Match"), etag) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body)
	})
}
