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
	// ExpiresAt, when given, is when the key stops working (RFC 3339).
	ExpiresAt *time.Time `json:"expires_at"`
}

type rotateKeyRequest struct {
	// GraceSeconds is how long the old key keeps working (0: it stops now).
	GraceSeconds int64      `json:"grace_seconds" binding:"min=0,max=31536000"`
	ExpiresAt    *time.Time `json:"expires_at"`
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
	ExpiresAt  *time.Time `json:"expires_at"`
	ReplacedBy int64      `json:"replaced_by,omitempty"`
}

// createdKeyDTO is the only response that ever holds a secret.
type createdKeyDTO struct {
	keyDTO
	Secret string `json:"secret"`
}

func toKeyDTO(k access.APIKey) keyDTO {
	return keyDTO{ID: k.ID, Name: k.Name, Role: string(k.Role), Country: k.Country, Prefix: k.Prefix,
		CreatedAt: k.CreatedAt, LastUsedAt: k.LastUsedAt, RevokedAt: k.RevokedAt, ExpiresAt: k.ExpiresAt, ReplacedBy: k.ReplacedBy}
}

func (s *Server) createKey(c *gin.Context) error {
	p := who(c)
	var req createKeyRequest
	if err := c.ShouldBindJSON(&req); err != nil {
		return invalid(err)
	}
	secret, k, err := s.cfg.Keys.CreateKey(c.Request.Context(), p,
		access.KeyRequest{Role: access.Role(req.Role), Country: req.Country, Name: req.Name, ExpiresAt: req.ExpiresAt}, c.ClientIP())
	if err != nil {
		return err
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, createdKeyDTO{keyDTO: toKeyDTO(k), Secret: secret})
	return nil
}

func (s *Server) listKeys(c *gin.Context) error {
	p := who(c)
	ks, err := s.cfg.Keys.List(c.Request.Context(), p)
	if err != nil {
		return err
	}
	writeList(c, ks, toKeyDTO)
	return nil
}

func (s *Server) revokeKey(c *gin.Context) error {
	p := who(c)
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

// rotateKey replaces a key with a new one for the same holder.
func (s *Server) rotateKey(c *gin.Context) error {
	p := who(c)
	id, err := idParam(c, "key")
	if err != nil {
		return err
	}
	var req rotateKeyRequest
	if c.Request.ContentLength != 0 {
		if err := c.ShouldBindJSON(&req); err != nil {
			return invalid(err)
		}
	}
	secret, k, err := s.cfg.Keys.Rotate(c.Request.Context(), p, id, time.Duration(req.GraceSeconds)*time.Second, req.ExpiresAt, c.ClientIP())
	if err != nil {
		return err
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, createdKeyDTO{keyDTO: toKeyDTO(k), Secret: secret})
	return nil
}

type auditDTO struct {
	ID         int64     `json:"id"`
	At         time.Time `json:"at"`
	Actor      string    `json:"actor"`
	KeyID      int64     `json:"key_id"`
	Role       string    `json:"role"`
	Action     string    `json:"action"`
	Target     string    `json:"target"`
	RemoteAddr string    `json:"remote_addr"`
	Detail     string    `json:"detail"`
}

type auditQuery struct {
	Limit int `form:"limit" binding:"omitempty,min=1,max=1000"`
}

// listAudit serves the newest audit entries to administrators.
func (s *Server) listAudit(c *gin.Context) error {
	var q auditQuery
	if err := c.ShouldBindQuery(&q); err != nil {
		return invalid(err)
	}
	es, err := s.cfg.Keys.Audit(c.Request.Context(), who(c), q.Limit)
	if err != nil {
		return err
	}
	out := make([]auditDTO, len(es))
	for i, e := range es {
		out[i] = auditDTO{ID: e.ID, At: e.At, Actor: e.Actor, KeyID: e.KeyID, Role: string(e.Role), Action: e.Action,
			Target: e.Target, RemoteAddr: e.RemoteAddr, Detail: e.Detail}
	}
	c.JSON(http.StatusOK, listResponse[auditDTO]{Items: out})
	return nil
}
