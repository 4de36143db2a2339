package httpapi

import (
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/reliefgap/reliefgap/internal/access"
)

const (
	ctxPrincipal = "reliefgap.principal"
	ctxAuthErr   = "reliefgap.auth_error"
)

// authenticate resolves the Authorization header to a principal. No header
// is the public; a header with an invalid or revoked key is remembered as
// an error, refused with 401 after the per-IP rate limit has counted it.
func (s *Server) authenticate(c *gin.Context) {
	h := c.GetHeader("Authorization")
	if h == "" {
		c.Set(ctxPrincipal, access.Principal{})
		c.Next()
		return
	}
	scheme, secret, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(secret) == "" {
		c.Set(ctxAuthErr, access.Errorf(access.Unauthorized, "authenticate", "use Authorization: Bearer <key>"))
		c.Next()
		return
	}
	p, err := s.cfg.Keys.Authenticate(c.Request.Context(), strings.TrimSpace(secret))
	if err != nil {
		c.Set(ctxAuthErr, err)
		c.Next()
		return
	}
	c.Set(ctxPrincipal, p)
	c.Next()
}

// principalOf returns who is calling; ok is false before authentication.
func principalOf(c *gin.Context) (access.Principal, bool) {
	v, ok := c.Get(ctxPrincipal)
	if !ok {
		return access.Principal{}, false
	}
	p, ok := v.(access.Principal)
	return p, ok
}

func who(c *gin.Context) access.Principal {
	p, _ := principalOf(c)
	return p
}

// Who may do what is decided by the domain services (access.Authorize);
// this file only establishes who is calling.
