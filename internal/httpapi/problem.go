package httpapi

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/go-playground/validator/v10"

	"github.com/reliefgap/reliefgap/internal/access"
)

// ProblemContentType is the media type of every error response (RFC 9457).
const ProblemContentType = "application/problem+json"

// Problem is an RFC 9457 problem document with reliefgap's extensions: the
// error code, the request id and, for a refused import, its row problems.
type Problem struct {
	Type      string           `json:"type"`
	Title     string           `json:"title"`
	Status    int              `json:"status"`
	Detail    string           `json:"detail,omitempty"`
	Instance  string           `json:"instance,omitempty"`
	Code      string           `json:"code,omitempty"`
	RequestID string           `json:"request_id,omitempty"`
	UploadID  int64            `json:"upload_id,omitempty"`
	Problems  []access.Problem `json:"problems,omitempty"`
}

// codeStatus is the one table from domain error code to HTTP status.
var codeStatus = map[access.Code]int{
	access.Invalid:      http.StatusBadRequest,
	access.NotFound:     http.StatusNotFound,
	access.Conflict:     http.StatusConflict,
	access.Forbidden:    http.StatusForbidden,
	access.Unauthorized: http.StatusUnauthorized,
	access.TooLarge:     http.StatusRequestEntityTooLarge,
	access.Internal:     http.StatusInternalServerError,
	access.Unavailable:  http.StatusServiceUnavailable,
}

// statusFor maps an error to its HTTP status. An Invalid error that carries
// row problems is a file that was read and refused: 422.
func statusFor(err error) int {
	var he *httpError
	if errors.As(err, &he) {
		return he.status
	}
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return http.StatusRequestEntityTooLarge
	}
	code := access.ErrorCode(err)
	if code == access.Invalid && len(access.ErrorProblems(err)) > 0 {
		return http.StatusUnprocessableEntity
	}
	if st, ok := codeStatus[code]; ok {
		return st
	}
	return http.StatusInternalServerError
}

// httpError is a refusal that belongs to HTTP rather than the domain: no
// such route, wrong method, too many requests, shutting down.
type httpError struct {
	status int
	detail string
	header http.Header
}

func (e *httpError) Error() string { return e.detail }

func problemf(status int, format string, args ...any) error {
	return &httpError{status: status, detail: fmt.Sprintf(format, args...)}
}

// uploadError ties an error to the upload it concerns, so that the problem
// document can point at it.
type uploadError struct {
	id  int64
	err error
}

func (e *uploadError) Error() string { return e.err.Error() }
func (e *uploadError) Unwrap() error { return e.err }

// invalid wraps a request-binding error as a domain Invalid error with a
// message fit for the caller.
func invalid(err error) error {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return &access.Error{Code: access.TooLarge, Msg: fmt.Sprintf("the request body is larger than %d bytes", mb.Limit), Err: err}
	}
	var ve validator.ValidationErrors
	if errors.As(err, &ve) {
		var parts []string
		for _, fe := range ve {
			name := strings.ToLower(fe.Field())
			switch fe.Tag() {
			case "required":
				parts = append(parts, name+" is required")
			case "oneof":
				parts = append(parts, fmt.Sprintf("%s must be one of %s", name, fe.Param()))
			case "max":
				parts = append(parts, fmt.Sprintf("%s is longer than %s", name, fe.Param()))
			default:
				parts = append(parts, fmt.Sprintf("%s is not valid (%s)", name, fe.Tag()))
			}
		}
		return &access.Error{Code: access.Invalid, Msg: strings.Join(parts, "; "), Err: err}
	}
	return &access.Error{Code: access.Invalid, Msg: "malformed request: " + err.Error(), Err: err}
}

// handle adapts a handler that returns an error.
func (s *Server) handle(fn func(c *gin.Context) error) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := fn(c); err != nil {
			s.writeError(c, err)
		}
	}
}

// writeError writes err as a problem document and stops the chain.
func (s *Server) writeError(c *gin.Context, err error) {
	status := statusFor(err)
	p := Problem{
		Type:      "about:blank",
		Title:     http.StatusText(status),
		Status:    status,
		Instance:  c.Request.URL.Path,
		RequestID: requestIDOf(c),
	}
	var he *httpError
	switch {
	case errors.As(err, &he):
		p.Detail = he.detail
		for k, vs := range he.header {
			for _, v := range vs {
				c.Header(k, v)
			}
		}
	case status == http.StatusRequestEntityTooLarge && access.ErrorCode(err) != access.TooLarge:
		p.Code = string(access.TooLarge)
		p.Detail = "the request body is too large"
	default:
		code := access.ErrorCode(err)
		p.Code = string(code)
		p.Detail = access.ErrorMessage(err)
		p.Problems = access.ErrorProblems(err)
	}
	p.Type = problemTypeFor(p.Code, status)
	if status == http.StatusUnauthorized {
		c.Header("WWW-Authenticate", `Bearer realm="reliefgap"`)
	}
	var ue *uploadError
	if errors.As(err, &ue) {
		p.UploadID = ue.id
	}
	if status >= 500 {
		s.log.ErrorContext(c.Request.Context(), "request failed", "err", err, "request_id", p.RequestID,
			"route", c.FullPath(), "status", status)
	}
	_ = c.Error(err)
	writeProblem(c, p)
}

func writeProblem(c *gin.Context, p Problem) {
	c.Abort()
	c.Render(p.Status, problemRender{p})
}

// problemRender writes a Problem with the problem+json content type.
type problemRender struct{ p Problem }

func (r problemRender) Render(w http.ResponseWriter) error {
	r.WriteContentType(w)
	return jsonEncode(w, r.p)
}

func (r problemRender) WriteContentType(w http.ResponseWriter) {
	w.Header().Set("Content-Type", ProblemContentType)
}
