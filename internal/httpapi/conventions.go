package httpapi

import (
	"net/http"
	"slices"

	"github.com/gin-contrib/gzip"
	"github.com/gin-gonic/gin"
)

// gzipMiddleware compresses responses for clients that accept gzip, except
// routes answered from the response cache, which holds gzipped bytes of
// its own (see cachedJSON), and bodies too small to gain anything.
func (s *Server) gzipMiddleware() gin.HandlerFunc {
	return gzip.Gzip(gzip.DefaultCompression,
		gzip.WithMinLength(1024),
		gzip.WithExcludedExtensions([]string{".xlsx", ".png", ".gz", ".zip"}),
		gzip.WithCustomShouldCompressFn(func(c *gin.Context) bool {
			return acceptsGzip(c.Request) && !s.precompressed[c.FullPath()] && c.Request.Method != http.MethodHead
		}))
}

// headAsGet answers HEAD on every GET route: the GET handler runs and its
// headers are sent, its body is not.
func headAsGet(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		r2 := r.Clone(r.Context())
		r2.Method = http.MethodGet
		next.ServeHTTP(headWriter{w}, r2)
	})
}

// headWriter keeps a response's status and headers and drops its body.
type headWriter struct{ http.ResponseWriter }

func (h headWriter) Write(p []byte) (int, error) { return len(p), nil }

func (h headWriter) WriteString(s string) (int, error) { return len(s), nil }

func (h headWriter) Unwrap() http.ResponseWriter { return h.ResponseWriter }

// problemTypeBase is where problem types live: each error code has a
// documented type URI, relative to the service (RFC 9457 §3.1.1).
const problemTypeBase = APIPrefix + "/problems#"

// problemTypes documents every problem type the API answers with.
var problemTypes = map[string]string{
	"invalid":       "The request or the uploaded file is not valid; detail says why and problems lists rows.",
	"not_found":     "No such resource.",
	"conflict":      "The resource is not in a state that allows this (for example, already published or rejected).",
	"forbidden":     "The key is valid but may not do this (for example, another country's data).",
	"unauthorized":  "No key, or a key that is unknown, revoked or expired: send Authorization: Bearer <key>.",
	"too_large":     "The request body or file is larger than the limit.",
	"internal":      "The service failed; the request id identifies it in the logs.",
	"rate_limited":  "Too many requests; Retry-After says when to try again.",
	"no_route":      "No route answers this path.",
	"bad_method":    "The route does not accept this method; Allow lists those it does.",
	"unavailable":   "The service is shutting down, its database is unreachable, or every parser stayed busy for the upload's whole time budget.",
	"unprocessable": "The file was read and refused: problems lists each with its sheet, row and column.",
}

// problemTypeFor gives the type URI of a problem with this code and status.
func problemTypeFor(code string, status int) string {
	if code == "" {
		switch status {
		case http.StatusNotFound:
			code = "no_route"
		case http.StatusMethodNotAllowed:
			code = "bad_method"
		case http.StatusTooManyRequests:
			code = "rate_limited"
		case http.StatusServiceUnavailable:
			code = "unavailable"
		case http.StatusRequestEntityTooLarge:
			code = "too_large"
		default:
			return "about:blank"
		}
	}
	if status == http.StatusUnprocessableEntity {
		code = "unprocessable"
	}
	if _, ok := problemTypes[code]; !ok {
		return "about:blank"
	}
	return problemTypeBase + code
}

// listProblemTypes serves the documentation of every problem type.
func (s *Server) listProblemTypes(c *gin.Context) {
	type entry struct {
		Type        string `json:"type"`
		Description string `json:"description"`
	}
	out := make([]entry, 0, len(problemTypes))
	for _, code := range sortedKeys(problemTypes) {
		out = append(out, entry{Type: problemTypeBase + code, Description: problemTypes[code]})
	}
	c.JSON(http.StatusOK, out)
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// setNextLink announces the next page of a listing in a Link header
// (RFC 8288), beside next_cursor in the body.
func setNextLink(c *gin.Context, cursor string) {
	if cursor == "" {
		return
	}
	u := *c.Request.URL
	q := u.Query()
	q.Set("cursor", cursor)
	u.RawQuery = q.Encode()
	c.Writer.Header().Add("Link", "<"+u.RequestURI()+`>; rel="next"`) // beside rel="canonical"
}
