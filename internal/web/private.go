package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/reliefgap/reliefgap/internal/access"
)

// The session cookie holds only a random token; the session (who, until
// when, its CSRF token) is in the database. The sign-in form, before any
// session, is protected by a double-submit cookie.
const (
	sessionCookie = "rg_session"
	loginCookie   = "rg_login"
	csrfField     = "csrf"
)

// secure reports whether the request came over TLS, directly or through a
// trusted proxy that says so with X-Forwarded-Proto.
func (s *Site) secure(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	if !strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		return false
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	a = a.Unmap()
	for _, p := range s.proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func (s *Site) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		Secure: s.secure(r), SameSite: http.SameSiteStrictMode})
}

func (s *Site) clientIP(r *http.Request) string {
	if ip, ok := r.Context().Value(clientIPKey{}).(string); ok && ip != "" {
		return ip
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// sameOrigin refuses a form posted from another site: browsers send
// Origin with a POST, and when they do it must name this host.
func sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	u, err := url.Parse(o)
	return err == nil && u.Host == r.Host
}

// parseForm reads a POSTed form, bounded: a multipart one (an upload) to
// the upload limit, any other to 64 KiB.
func (s *Site) parseForm(w http.ResponseWriter, r *http.Request) error {
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		r.Body = http.MaxBytesReader(w, r.Body, s.d.MaxUploadBytes+1<<20)
		err = r.ParseMultipartForm(8 << 20)
	} else {
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		err = r.ParseForm()
	}
	if err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return access.Errorf(access.TooLarge, "", "the file is larger than the limit of %d bytes", s.d.MaxUploadBytes)
		}
		return access.Errorf(access.Invalid, "", "the form could not be read")
	}
	return nil
}

var errNotSignedIn = access.Errorf(access.Unauthorized, "", "please sign in")

type signedInHandler func(w http.ResponseWriter, r *http.Request, v *view) error

// signedIn resolves the session cookie; without a session a GET goes to
// the sign-in page and anything else is refused. POSTs must carry the
// session's CSRF token and come from this site.
func (s *Site) signedIn(fn signedInHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		securityHeaders(w.Header())
		w.Header().Set("Cache-Control", "no-store")
		v := s.newView(r)
		if s.d.Sessions == nil {
			s.fail(w, r, v, access.Errorf(access.NotFound, "", "signing in is not available on this server"))
			return
		}
		token := ""
		if c, err := r.Cookie(sessionCookie); err == nil {
			token = c.Value
		}
		p, sess, err := s.d.Sessions.Resolve(r.Context(), token)
		if err != nil {
			if access.ErrorCode(err) != access.Unauthorized {
				s.fail(w, r, v, err)
				return
			}
			if r.Method == http.MethodGet {
				http.Redirect(w, r, v.Link("/login?next="+url.QueryEscape(r.URL.Path)), http.StatusSeeOther)
				return
			}
			s.fail(w, r, v, errNotSignedIn)
			return
		}
		if r.Method == http.MethodPost {
			if err := s.parseForm(w, r); err != nil {
				s.fail(w, r, v, err)
				return
			}
			if r.MultipartForm != nil {
				defer r.MultipartForm.RemoveAll()
			}
			if !sameOrigin(r) || !sess.CheckCSRF(r.PostFormValue(csrfField)) {
				s.fail(w, r, v, access.Errorf(access.Forbidden, "", "the form has expired or came from another site: please reload the page and try again"))
				return
			}
		}
		v.User, v.CSRF = &p, sess.CSRF
		if err := fn(w, r, v); err != nil {
			s.fail(w, r, v, err)
		}
	}
}

// ---- sign in and out

type loginPage struct {
	Next  string
	Error string
	Token string
}

func randomString() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// safeNext keeps a redirect target on this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return ""
	}
	return next
}

func (s *Site) loginForm(w http.ResponseWriter, r *http.Request) {
	securityHeaders(w.Header())
	v := s.newView(r)
	s.showLogin(w, r, v, http.StatusOK, "")
}

func (s *Site) showLogin(w http.ResponseWriter, r *http.Request, v *view, status int, msg string) {
	token := randomString()
	s.setCookie(w, r, loginCookie, token, 3600)
	v.Title = v.T("login.title")
	v.Data = loginPage{Next: safeNext(r.FormValue("next")), Error: msg, Token: token}
	s.private(w, r, status, "login", v)
}

func (s *Site) login(w http.ResponseWriter, r *http.Request) {
	securityHeaders(w.Header())
	v := s.newView(r)
	if s.d.Sessions == nil {
		s.fail(w, r, v, access.Errorf(access.NotFound, "", "signing in is not available on this server"))
		return
	}
	if err := s.parseForm(w, r); err != nil {
		s.fail(w, r, v, err)
		return
	}
	c, err := r.Cookie(loginCookie)
	form := r.PostFormValue(csrfField)
	if err != nil || form == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(form)) != 1 || !sameOrigin(r) {
		s.showLogin(w, r, v, http.StatusForbidden, v.T("login.expired"))
		return
	}
	token, sess, p, err := s.d.Sessions.SignIn(r.Context(), r.PostFormValue("key"), s.clientIP(r))
	if err != nil {
		switch access.ErrorCode(err) {
		case access.Unauthorized:
			s.showLogin(w, r, v, http.StatusUnauthorized, v.T("login.invalid"))
		case access.Forbidden:
			s.showLogin(w, r, v, http.StatusForbidden, v.T("login.forbidden"))
		default:
			s.fail(w, r, v, err)
		}
		return
	}
	s.setCookie(w, r, loginCookie, "", -1)
	s.setCookie(w, r, sessionCookie, token, int(time.Until(sess.ExpiresAt).Seconds()))
	next := safeNext(r.PostFormValue("next"))
	if next == "" {
		next = "/ministry"
		if p.IsAdmin() {
			next = "/admin"
		}
	}
	http.Redirect(w, r, v.Link(next), http.StatusSeeOther)
}

func (s *Site) logout(w http.ResponseWriter, r *http.Request, v *view) error {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := s.d.Sessions.SignOut(r.Context(), c.Value); err != nil {
			return err
		}
	}
	s.setCookie(w, r, sessionCookie, "", -1)
	http.Redirect(w, r, v.Link("/"), http.StatusSeeOther)
	return nil
}

// ---- ministry

type ministryPage struct {
	Uploads  []access.Upload
	Kinds    []access.ImportKind
	MaxBytes int64
}

func (s *Site) ministry(w http.ResponseWriter, r *http.Request, v *view) error {
	us, err := s.d.Imports.Uploads(r.Context(), *v.User, access.UploadFilter{Limit: 100})
	if err != nil {
		return err
	}
	v.Title = v.T("ministry.title")
	v.Data = ministryPage{Uploads: us, Kinds: []access.ImportKind{access.KindConsumption, access.KindEstimates}, MaxBytes: s.d.MaxUploadBytes}
	s.private(w, r, http.StatusOK, "ministry", v)
	return nil
}

// upload receives a workbook from the form and validates it in the
// request; the browser then sees the submission's page with its problems.
func (s *Site) upload(w http.ResponseWriter, r *http.Request, v *view) error {
	p := *v.User
	if err := access.Authorize(p, access.ActUpload, p.Country); err != nil {
		return err
	}
	file, fh, err := r.FormFile("file")
	if err != nil {
		return access.Errorf(access.Invalid, "", "choose a file to send")
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, s.d.MaxUploadBytes+1))
	if err != nil {
		return access.Errorf(access.Invalid, "", "the file could not be read")
	}
	if int64(len(data)) > s.d.MaxUploadBytes {
		return access.Errorf(access.TooLarge, "", "the file is larger than the limit of %d bytes", s.d.MaxUploadBytes)
	}
	kind := access.ImportKind(r.PostFormValue("kind"))
	if kind != "" && !kind.Valid() {
		return access.Errorf(access.Invalid, "", "unknown kind %q", kind)
	}
	country := p.Country
	if p.IsAdmin() {
		country = strings.ToUpper(strings.TrimSpace(r.PostFormValue("country")))
	}
	opt := access.ImportOptions{Kind: kind, Country: country, DryRun: r.PostFormValue("dry_run") == "on", RemoteAddr: s.clientIP(r)}
	filename := path.Base(strings.ReplaceAll(fh.Filename, `\`, "/"))
	ctx := context.WithoutCancel(r.Context())
	res, err := s.d.Imports.Receive(ctx, p, filename, data, opt)
	if err != nil {
		return err
	}
	u := res.Upload
	if !res.Duplicate {
		pctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
		defer cancel()
		out, err := s.d.Imports.Process(pctx, p, u, data, opt)
		if err != nil && out.Status != access.StatusRejected {
			return err
		}
		u = out
	}
	http.Redirect(w, r, v.Link("/ministry/uploads/"+strconv.FormatInt(u.ID, 10)), http.StatusSeeOther)
	return nil
}

// visibleUpload loads an upload the user may see; another country's is
// reported as missing.
func (s *Site) visibleUpload(r *http.Request, p access.Principal) (access.Upload, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return access.Upload{}, access.Errorf(access.NotFound, "", "no upload %q", r.PathValue("id"))
	}
	// The import service decides, an upload of several countries included
	// (hidden from every ministry).
	return s.d.Imports.Upload(r.Context(), p, id)
}

type uploadPage struct {
	U         access.Upload
	Errors    int
	Warnings  int
	CanDecide bool
}

func (s *Site) uploadPage(w http.ResponseWriter, r *http.Request, v *view) error {
	u, err := s.visibleUpload(r, *v.User)
	if err != nil {
		return err
	}
	up := uploadPage{U: u, CanDecide: v.User.IsAdmin() && u.Status == access.StatusSubmitted}
	for _, p := range u.Problems {
		if p.Severity == access.SeverityError {
			up.Errors++
		} else {
			up.Warnings++
		}
	}
	v.Title = v.Tf("upload.title", u.ID)
	v.Data = up
	s.private(w, r, http.StatusOK, "upload", v)
	return nil
}

func (s *Site) annotated(w http.ResponseWriter, r *http.Request, v *view) error {
	u, err := s.visibleUpload(r, *v.User)
	if err != nil {
		return err
	}
	if s.d.Annotate == nil {
		return access.Errorf(access.NotFound, "", "annotated workbooks are not available")
	}
	data, err := s.d.Store.Blob(r.Context(), u.SHA256)
	if err != nil {
		return err
	}
	out, err := s.d.Annotate(u.Filename, data, u.Problems)
	if err != nil {
		return err
	}
	base := strings.TrimSuffix(u.Filename, path.Ext(u.Filename))
	if base == "" {
		base = "upload-" + strconv.FormatInt(u.ID, 10)
	}
	sendFile(w, base+".annotated.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", out)
	return nil
}

// ---- admin

type adminPage struct {
	Waiting []access.Upload
	Recent  []access.Upload
}

func (s *Site) admin(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := access.Authorize(*v.User, access.ActDecideUpload, ""); err != nil {
		return err
	}
	waiting, err := s.d.Store.Uploads(r.Context(), access.UploadFilter{Status: access.StatusSubmitted, Limit: 200})
	if err != nil {
		return err
	}
	recent, err := s.d.Store.Uploads(r.Context(), access.UploadFilter{Limit: 30})
	if err != nil {
		return err
	}
	v.Title = v.T("admin.title")
	v.Data = adminPage{Waiting: waiting, Recent: recent}
	s.private(w, r, http.StatusOK, "admin", v)
	return nil
}

func (s *Site) decide(w http.ResponseWriter, r *http.Request, v *view, publish bool) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return access.Errorf(access.NotFound, "", "no upload %q", r.PathValue("id"))
	}
	if publish {
		_, err = s.d.Imports.Publish(r.Context(), *v.User, id, s.clientIP(r))
	} else {
		reason := strings.TrimSpace(r.PostFormValue("reason"))
		if reason == "" || len(reason) > 2000 {
			return access.Errorf(access.Invalid, "", "give a reason (at most 2,000 characters) for rejecting")
		}
		_, err = s.d.Imports.Reject(r.Context(), *v.User, id, reason, s.clientIP(r))
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, v.Link("/ministry/uploads/"+strconv.FormatInt(id, 10)), http.StatusSeeOther)
	return nil
}

func (s *Site) publish(w http.ResponseWriter, r *http.Request, v *view) error {
	return s.decide(w, r, v, true)
}
func (s *Site) reject(w http.ResponseWriter, r *http.Request, v *view) error {
	return s.decide(w, r, v, false)
}
