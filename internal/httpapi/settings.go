package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/reliefgap/reliefgap/internal/access"
)

type settingRequest struct {
	Value string `json:"value" binding:"max=200"`
}

type settingsDTO struct {
	Items []access.FiguresSetting `json:"items"`
}

func (s *Server) settings() (*access.SettingsService, error) {
	if s.cfg.Settings == nil {
		return nil, access.Errorf(access.Internal, "settings", "no settings service configured")
	}
	return s.cfg.Settings, nil
}

// listSettings lists the figures settings with their values (administrators).
func (s *Server) listSettings(c *gin.Context) error {
	svc, err := s.settings()
	if err != nil {
		return err
	}
	items, err := svc.List(c.Request.Context(), who(c))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, settingsDTO{Items: items})
	return nil
}

// putSetting changes one figures setting; the data version moves with it.
func (s *Server) putSetting(c *gin.Context) error {
	var req settingRequest
	if err := c.ShouldBindJSON(&req); err != nil {
		return invalid(err)
	}
	svc, err := s.settings()
	if err != nil {
		return err
	}
	if err := svc.Set(c.Request.Context(), who(c), c.Param("key"), req.Value, c.ClientIP()); err != nil {
		return err
	}
	items, err := svc.List(c.Request.Context(), who(c))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, settingsDTO{Items: items})
	return nil
}
