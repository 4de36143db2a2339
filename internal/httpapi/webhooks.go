package httpapi

import (
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/internal/alerts"
)

type webhookRequest struct {
	URL   string `json:"url" binding:"required,max=2000"`
	Scope string `json:"scope" binding:"max=20"`
}

type webhookDTO struct {
	ID        int64     `json:"id"`
	URL       string    `json:"url"`
	Scope     string    `json:"scope,omitempty"`
	Enabled   bool      `json:"enabled"`
	CreatedAt time.Time `json:"created_at"`
	// Secret is shown once, in the answer to its creation.
	Secret string `json:"secret,omitempty"`
}

type deliveryDTO struct {
	ID            int64      `json:"id"`
	EventID       string     `json:"event_id"`
	Kind          string     `json:"kind"`
	Status        string     `json:"status"`
	Attempts      int        `json:"attempts"`
	NextAttemptAt *time.Time `json:"next_attempt_at,omitempty"`
	LastError     string     `json:"last_error,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
	DeliveredAt   *time.Time `json:"delivered_at,omitempty"`
}

func toWebhookDTO(h alerts.Webhook) webhookDTO {
	return webhookDTO{ID: h.ID, URL: h.URL, Scope: h.Scope, Enabled: h.Enabled, CreatedAt: h.CreatedAt, Secret: h.Secret}
}

func (s *Server) webhooks() (*alerts.Webhooks, error) {
	if s.cfg.Webhooks == nil {
		return nil, access.Errorf(access.NotFound, "", "webhooks are not configured on this server")
	}
	return s.cfg.Webhooks, nil
}

func (s *Server) createWebhook(c *gin.Context) error {
	svc, err := s.webhooks()
	if err != nil {
		return err
	}
	var req webhookRequest
	if err := c.ShouldBindJSON(&req); err != nil {
		return invalid(err)
	}
	h, err := svc.Create(c.Request.Context(), who(c), req.URL, req.Scope)
	if err != nil {
		return err
	}
	c.Header("Cache-Control", "no-store")
	c.Header("Location", fmt.Sprintf("%s/webhooks/%d/deliveries", APIPrefix, h.ID))
	c.JSON(http.StatusCreated, toWebhookDTO(h))
	return nil
}

func (s *Server) listWebhooks(c *gin.Context) error {
	svc, err := s.webhooks()
	if err != nil {
		return err
	}
	hs, err := svc.List(c.Request.Context(), who(c))
	if err != nil {
		return err
	}
	writeList(c, hs, toWebhookDTO)
	return nil
}

func (s *Server) deleteWebhook(c *gin.Context) error {
	svc, err := s.webhooks()
	if err != nil {
		return err
	}
	id, err := idParam(c, "webhook")
	if err != nil {
		return err
	}
	if err := svc.Delete(c.Request.Context(), who(c), id); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (s *Server) webhookDeliveries(c *gin.Context) error {
	svc, err := s.webhooks()
	if err != nil {
		return err
	}
	id, err := idParam(c, "webhook")
	if err != nil {
		return err
	}
	ds, err := svc.Deliveries(c.Request.Context(), who(c), id, 100)
	if err != nil {
		return err
	}
	out := make([]deliveryDTO, len(ds))
	for i, d := range ds {
		out[i] = deliveryDTO{ID: d.ID, EventID: d.EventID, Kind: d.Kind, Status: d.Status, Attempts: d.Attempts,
			NextAttemptAt: d.NextAttemptAt, LastError: d.LastError, CreatedAt: d.CreatedAt, DeliveredAt: d.DeliveredAt}
	}
	c.JSON(http.StatusOK, listResponse[deliveryDTO]{Items: out})
	return nil
}
