// Package web renders the service's HTML pages: the world picture, a page
// per country, a comparison of up to five countries, the methodology and
// glossary, and the pages ministries and administrators use to upload,
// follow and publish submissions.
//
// Pages are rendered on the server with html/template from templates and a
// stylesheet embedded in the binary; there is no script and no build step.
// Charts are inline SVG drawn here (chart.go), each with a title, a text
// description and the table of its figures. Every label comes from one
// catalogue per language (i18n/*.json): a language is added by adding a
// file, and a right-to-left one by setting "_dir" to "rtl" in it.
//
// The package knows HTTP through net/http only; internal/httpapi mounts
// Routes on its router. Figures come from the same domain services the API
// uses, so a page shows exactly what the API answers.
package web
