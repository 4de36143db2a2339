package web

import (
	"html/template"

	"github.com/reliefgap/reliefgap/internal/access"
)

// worldMap draws the countries coloured by adequacy band.
func (s *Site) worldMap(v *view, p access.WorldPicture) template.HTML {
	return ""
}
