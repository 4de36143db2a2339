package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"

	"github.com/reliefgap/reliefgap/internal/access"
)

//go:embed templates/*.html static/*
var assets embed.FS

// Store is what the pages read directly; *store.Store satisfies it.
type Store interface {
	Countries(ctx context.Context) ([]access.Country, error)
	Country(ctx context.Context, iso3 string) (access.Country, error)
	FactorTables(ctx context.Context) ([]access.FactorTable, error)
	DataVersion(ctx context.Context) (int64, error)
	Upload(ctx context.Context, id int64) (access.Upload, error)
	Uploads(ctx context.Context, f access.UploadFilter) ([]access.Upload, error)
	Blob(ctx context.Context, sha string) ([]byte, error)
}

// Deps is what New needs. Store, Gaps and Imports are required; without
// Sessions the ministry pages answer that signing in is not available.
type Deps struct {
	Store    Store
	Gaps     *access.GapService
	Imports  *access.ImportService
	Sessions *access.SessionService
	// Annotate returns an uploaded file with its problems marked in place.
	Annotate func(filename string, data []byte, problems []access.Problem) ([]byte, error)
	// Supply, when set, gives the country page the supply estimate for the
	// year after its latest figures, as the public sees it; the section is
	// shown only when there is one.
	Supply func(ctx context.Context, iso3 string, year int, model string) (*access.SupplyEstimate, error)
	// StatusFor maps a domain error to its HTTP status: the API's one table.
	StatusFor func(error) int
	// TrustedProxies are the proxies whose X-Forwarded-Proto is believed
	// when deciding whether the session cookie is Secure.
	TrustedProxies []string
	MaxUploadBytes int64
	Logger         *slog.Logger
	Version        string
}

// Route is one page route, in net/http pattern syntax ("/countries/{iso3}").
type Route struct {
	Method, Path, Summary string
	// Gzipped routes compress their own responses; the others (file
	// downloads, redirects) are left to the router's compression.
	Gzipped bool
}

// Site serves the pages.
type Site struct {
	d       Deps
	log     *slog.Logger
	mux     *http.ServeMux
	pages   map[string]*template.Template
	cat     *catalogue
	proxies []netip.Prefix
	cache   pageCache
	routes  []Route
	css     []byte
	cssTag  string
	// buildTag digests the templates, labels and map, so that a page's
	// ETag changes when they do even where Version does not (builds
	// without a version stamp).
	buildTag string
}

// New builds the pages from d.
func New(d Deps) (*Site, error) {
	if d.Store == nil || d.Gaps == nil || d.Imports == nil {
		return nil, errors.New("web.New: Store, Gaps and Imports are required")
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.StatusFor == nil {
		d.StatusFor = func(error) int { return http.StatusInternalServerError }
	}
	if d.MaxUploadBytes <= 0 {
		d.MaxUploadBytes = 20 << 20
	}
	cat, err := loadCatalogue()
	if err != nil {
		return nil, err
	}
	s := &Site{d: d, log: d.Logger, mux: http.NewServeMux(), cat: cat, cache: pageCache{entries: map[string][]byte{}, max: 256}}
	for _, p := range d.TrustedProxies {
		if pf, err := netip.ParsePrefix(p); err == nil {
			s.proxies = append(s.proxies, pf)
		} else if a, err := netip.ParseAddr(p); err == nil {
			s.proxies = append(s.proxies, netip.PrefixFrom(a, a.BitLen()))
		} else {
			return nil, fmt.Errorf("web.New: trusted proxy %q is neither an address nor a CIDR", p)
		}
	}
	if s.pages, err = parseTemplates(); err != nil {
		return nil, err
	}
	if s.css, err = fs.ReadFile(assets, "static/style.css"); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(s.css)
	s.cssTag = hex.EncodeToString(sum[:8])
	if s.buildTag, err = assetsDigest(); err != nil {
		return nil, err
	}
	s.register()
	return s, nil
}

// Routes lists every page route.
func (s *Site) Routes() []Route { return s.routes }

// Handler serves every page route.
func (s *Site) Handler() http.Handler { return s.mux }

func (s *Site) handle(method, path, summary string, h http.HandlerFunc) {
	gzipped := !strings.HasSuffix(path, ".xlsx") && !strings.HasSuffix(path, ".csv")
	s.routes = append(s.routes, Route{Method: method, Path: path, Summary: summary, Gzipped: gzipped})
	pattern := path
	if path == "/" {
		pattern = "/{$}"
	}
	s.mux.HandleFunc(method+" "+pattern, h)
}

func (s *Site) register() {
	s.handle("GET", "/", "The world picture: people by adequacy band, shares by income group, the map and rankings", s.public(s.home))
	s.handle("GET", "/countries/{iso3}", "A country's page: headline figures, trend, drugs, estimates, flags, methods, lineage", s.public(s.country))
	s.handle("GET", "/compare", "Up to five countries on one chart and table (?c=UGA,KEN,IND)", s.public(s.compare))
	s.handle("GET", "/methodology", "Methodology and glossary: factor tables, need models, flags and bands", s.public(s.methodology))
	s.handle("GET", "/static/{file}", "The stylesheet and other embedded assets", s.static)
	s.handle("GET", "/login", "Sign in with a ministry or administrator key", s.loginForm)
	s.handle("POST", "/login", "Exchange a key for a session", s.login)
	s.handle("POST", "/logout", "End the session", s.signedIn(s.logout))
	s.handle("GET", "/ministry", "Upload a workbook; templates; submission history", s.signedIn(s.ministry))
	s.handle("POST", "/ministry/uploads", "Send a workbook", s.signedIn(s.upload))
	s.handle("GET", "/ministry/uploads/{id}", "One submission: status, problems, changes", s.signedIn(s.uploadPage))
	s.handle("GET", "/ministry/uploads/{id}/annotated.xlsx", "The workbook with its problems marked", s.signedIn(s.annotated))
	s.handle("GET", "/admin", "Submissions waiting for a decision", s.signedIn(s.admin))
	s.handle("POST", "/admin/uploads/{id}/publish", "Publish a submission", s.signedIn(s.publish))
	s.handle("POST", "/admin/uploads/{id}/reject", "Reject a submission", s.signedIn(s.reject))
}

// securityHeaders are set on every page: no script at all, styles only
// from the stylesheet, forms only to this site.
func securityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
}

// pageCache keeps rendered public pages by ETag; the ETag changes with the
// data version, so an entry is never stale.
type pageCache struct {
	mu      sync.Mutex
	entries map[string][]byte
	max     int
}

func (c *pageCache) get(k string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.entries[k]
	return b, ok
}

func (c *pageCache) put(k string, b []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= c.max {
		c.entries = map[string][]byte{}
	}
	c.entries[k] = b
}

// etagMatches implements If-None-Match's weak comparison.
func etagMatches(ifNoneMatch, etag string) bool {
	want := strings.TrimPrefix(etag, "W/")
	for _, t := range strings.Split(ifNoneMatch, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == want {
			return true
		}
	}
	return false
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") && strings.ReplaceAll(q, " ", "") != "q=0" {
			return true
		}
	}
	return false
}

func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = zw.Write(b)
	_ = zw.Close()
	return buf.Bytes()
}

// writeBody writes an HTML body, gzipped when the client accepts it.
func writeBody(w http.ResponseWriter, r *http.Request, status int, body []byte, gzipped []byte) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Add("Vary", "Accept-Encoding")
	if acceptsGzip(r) {
		if gzipped == nil {
			gzipped = gzipBytes(body)
		}
		h.Set("Content-Encoding", "gzip")
		h.Set("Content-Length", strconv.Itoa(len(gzipped)))
		w.WriteHeader(status)
		if r.Method != http.MethodHead {
			_, _ = w.Write(gzipped)
		}
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// public serves a page anyone may read. Its ETag derives from the data
// version, the build, the URL and the language, like the API's; a client
// holding it gets 304, and a rendered page is kept by it.
func (s *Site) public(fn func(r *http.Request, v *view) (string, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		securityHeaders(w.Header())
		v := s.newView(r)
		dv, err := s.d.Store.DataVersion(r.Context())
		if err != nil {
			s.fail(w, r, v, err)
			return
		}
		v.DataVersion = dv
		h := sha256.New()
		for _, part := range []string{strconv.FormatInt(dv, 10), s.d.Version, s.buildTag, r.URL.Path, canonicalQuery(r), v.Lang, strconv.FormatBool(v.langQuery)} {
			h.Write([]byte(part))
			h.Write([]byte{0})
		}
		etag := `"p` + hex.EncodeToString(h.Sum(nil)[:16]) + `"`
		hd := w.Header()
		hd.Set("ETag", etag)
		hd.Set("Cache-Control", "no-cache")
		hd.Add("Vary", "Accept-Language")
		if inm := r.Header.Get("If-None-Match"); inm != "" && etagMatches(inm, etag) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		gz := acceptsGzip(r)
		key := etag
		if gz {
			key += "gz"
		}
		if b, ok := s.cache.get(key); ok {
			if gz {
				writeBody(w, r, http.StatusOK, nil, b)
			} else {
				writeBody(w, r, http.StatusOK, b, nil)
			}
			return
		}
		name, err := fn(r, v)
		if err != nil {
			s.fail(w, r, v, err)
			return
		}
		body, err := s.render(name, v)
		if err != nil {
			s.fail(w, r, v, err)
			return
		}
		var zipped []byte
		if gz {
			zipped = gzipBytes(body)
			s.cache.put(key, zipped)
		} else {
			s.cache.put(key, body)
		}
		writeBody(w, r, http.StatusOK, body, zipped)
	}
}

// private writes a page that belongs to one signed-in user: never cached.
func (s *Site) private(w http.ResponseWriter, r *http.Request, status int, name string, v *view) {
	w.Header().Set("Cache-Control", "no-store")
	body, err := s.render(name, v)
	if err != nil {
		s.fail(w, r, v, err)
		return
	}
	writeBody(w, r, status, body, nil)
}

func (s *Site) render(name string, v *view) ([]byte, error) {
	t, ok := s.pages[name]
	if !ok {
		return nil, fmt.Errorf("web: no template %q", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		return nil, fmt.Errorf("web: rendering %s: %w", name, err)
	}
	return buf.Bytes(), nil
}

// fail renders an error page with the status the API would answer.
func (s *Site) fail(w http.ResponseWriter, r *http.Request, v *view, err error) {
	status := s.d.StatusFor(err)
	if status >= 500 {
		s.log.ErrorContext(r.Context(), "page failed", "err", err, "path", r.URL.Path, "status", status)
	}
	w.Header().Del("ETag")
	w.Header().Set("Cache-Control", "no-store")
	v.Title = http.StatusText(status)
	v.Data = errorPage{Status: status, Message: access.ErrorMessage(err)}
	body, rerr := s.render("error", v)
	if rerr != nil {
		s.log.ErrorContext(r.Context(), "error page failed", "err", rerr)
		http.Error(w, http.StatusText(status), status)
		return
	}
	writeBody(w, r, status, body, nil)
}

type errorPage struct {
	Status  int
	Message string
}

// static serves the embedded assets, cached for a year under their content
// hash (pages link them with ?v=hash).
func (s *Site) static(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	var ct string
	switch {
	case strings.HasSuffix(name, ".css"):
		ct = "text/css; charset=utf-8"
	case strings.HasSuffix(name, ".svg"):
		ct = "image/svg+xml"
	default:
		http.NotFound(w, r)
		return
	}
	b, err := fs.ReadFile(assets, "static/"+name)
	if err != nil || strings.Contains(name, "/") {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	securityHeaders(h)
	sum := sha256.Sum256(b)
	etag := `"` + hex.EncodeToString(sum[:12]) + `"`
	h.Set("ETag", etag)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Add("Vary", "Accept-Encoding")
	if etagMatches(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", ct)
	if acceptsGzip(r) {
		b = gzipBytes(b)
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Length", strconv.Itoa(len(b)))
	_, _ = w.Write(b)
}

func sendFile(w http.ResponseWriter, name, ct string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", ct)
	h.Set("Content-Disposition", `attachment; filename="`+safeFilename(name)+`"`)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = w.Write(body)
}

// safeFilename keeps a file name to letters, digits and . - _.
func safeFilename(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "download"
	}
	return b.String()
}

type clientIPKey struct{}

// WithClientIP records the client's address as the router resolved it
// (trusted proxies considered); the peer address is used without it.
func WithClientIP(ctx context.Context, ip string) context.Context {
	return context.WithValue(ctx, clientIPKey{}, ip)
}

func assetsDigest() (string, error) {
	h := sha256.New()
	for _, fsys := range []fs.FS{assets, catalogueFiles} {
		err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := fs.ReadFile(fsys, p)
			h.Write([]byte(p))
			h.Write(b)
			return err
		})
		if err != nil {
			return "", err
		}
	}
	h.Write(countries110m)
	return hex.EncodeToString(h.Sum(nil)[:8]), nil
}

// pageParams are the query parameters pages read; others do not change a
// page, so they do not change its ETag (nor make the cache recompute it).
var pageParams = []string{"as_of", "c", "model", "year"}

func canonicalQuery(r *http.Request) string {
	q := r.URL.Query()
	var b strings.Builder
	for _, k := range pageParams {
		if vs, ok := q[k]; ok {
			b.WriteString(k + "=" + strings.Join(vs, ",") + "&")
		}
	}
	return b.String()
}

// NotFound answers an unknown path with the error page.
func (s *Site) NotFound(w http.ResponseWriter, r *http.Request) {
	securityHeaders(w.Header())
	s.fail(w, r, s.newView(r), access.Errorf(access.NotFound, "", "there is no page at %s", r.URL.Path))
}
