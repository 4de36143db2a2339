package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/reliefgap/reliefgap/internal/access"
)

type createKeyRequest struct {
	Role    string `json:"role" binding:"required,oneof=admin advocate ministry"`
	Country string `json:"country" binding:"max=3"`
	Name    string `json:"name" binding:"max=100"`
}

type keyDTO struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Role       string     `json:"role"`
	Country    string     `json:"country,omitempty"`
	Prefix     string     `json:"prefix"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

// createdKeyDTO is the only response that ever holds a secret.
type createdKeyDTO struct {
	keyDTO
	Secret string `json:"secret"`
}

func toKeyDTO(k access.APIKey) keyDTO {
	return keyDTO{ID: k.ID, Name: k.Name, Role: string(k.Role), Country: k.Country, Prefix: k.Prefix,
		CreatedAt: k.CreatedAt, LastUsedAt: k.LastUsedAt, RevokedAt: k.RevokedAt}
}

func (s *Server) createKey(c *gin.Context) error {
	p := who(c)
	if err := requireAdmin(p, "create keys"); err != nil {
		return err
	}
	var req createKeyRequest
	if err := c.ShouldBindJSON(&req); err != nil {
		return invalid(err)
	}
	secret, k, err := s.cfg.Keys.Create(c.Request.Context(), p, access.Role(req.Role), req.Country, req.Name, c.ClientIP())
	if err != nil {
		return err
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, createdKeyDTO{keyDTO: toKeyDTO(k), Secret: secret})
	return nil
}

func (s *Server) listKeys(c *gin.Context) error {
	p := who(c)
	if err := requireAdmin(p, "list keys"); err != nil {
		return err
	}
	ks, err := s.cfg.Keys.List(c.Request.Context(), p)
	if err != nil {
		return err
	}
	out := make([]keyDTO, len(ks))
	for i, k := range ks {
		out[i] = toKeyDTO(k)
	}
	c.JSON(http.StatusOK, listResponse[keyDTO]{Items: out})
	return nil
}

func (s *Server) revokeKey(c *gin.Context) error {
	p := who(c)
	if err := requireAdmin(p, "revoke keys"); err != nil {
		return err
	}
	id, err := idParam(c, "key")
	if err != nil {
		return err
	}
	if err := s.cfg.Keys.Revoke(c.Request.Context(), p, id, c.ClientIP()); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}
