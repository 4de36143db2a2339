package alerts

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/internal/jobs"
)

// Webhook is an administrator's endpoint told of events.
type Webhook struct {
	ID     int64
	URL    string
	Secret string // HMAC-SHA256 key; shown once, when the webhook is made
	// Scope limits the events: "" (all), "world", "country:ISO3" or
	// "region:CODE" (report-ready events of that scope; publications of
	// that country, or of many countries).
	Scope         string
	Enabled       bool
	CursorVersion int64 // the data version publications were queued up to
	CreatedAt     time.Time
}

// Delivery statuses.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed" // attempts spent
)

// Delivery is one event to deliver to one webhook.
type Delivery struct {
	ID            int64
	WebhookID     int64
	EventID       string
	Kind          string
	Payload       []byte
	Status        string
	Attempts      int
	NextAttemptAt *time.Time
	LastError     string
	CreatedAt     time.Time
	DeliveredAt   *time.Time
}

// Event is the JSON body of a delivery.
type Event struct {
	ID      string    `json:"id"`
	Kind    string    `json:"kind"`
	Title   string    `json:"title"`
	Summary string    `json:"summary"`
	Link    string    `json:"link,omitempty"`
	Scope   string    `json:"scope,omitempty"`
	At      time.Time `json:"at"`
}

// Guard refuses webhook targets on loopback, link-local, private, shared
// (100.64/10), unspecified and multicast addresses unless an operator
// allow-listed them; it is checked when a webhook is made and again on
// every connection, after DNS resolution (so a name cannot be re-pointed).
type Guard struct {
	Allow []netip.Prefix
}

// ParseAllow reads a comma-separated list of CIDR prefixes or addresses.
func ParseAllow(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			a, err := netip.ParseAddr(f)
			if err != nil {
				return nil, fmt.Errorf("webhook allow-list: %q is not an address or CIDR prefix", f)
			}
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, fmt.Errorf("webhook allow-list: %q is not an address or CIDR prefix", f)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

var sharedSpace = netip.MustParsePrefix("100.64.0.0/10")

// Permits reports whether a connection to a may be made.
func (g Guard) Permits(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range g.Allow {
		if p.Contains(a) {
			return true
		}
	}
	return !(a.IsLoopback() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() || a.IsPrivate() ||
		a.IsUnspecified() || a.IsMulticast() || a.IsInterfaceLocalMulticast() || sharedSpace.Contains(a))
}

// CheckURL checks a webhook address: http or https, no user info, and a
// host whose every address the guard permits.
func (g Guard) CheckURL(ctx context.Context, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || len(raw) > 2000 {
		return access.Errorf(access.Invalid, "webhook", "a webhook needs an http or https URL without user info")
	}
	host := u.Hostname()
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil || len(addrs) == 0 {
		return access.Errorf(access.Invalid, "webhook", "cannot resolve %q", host)
	}
	for _, a := range addrs {
		if !g.Permits(a) {
			return access.Errorf(access.Invalid, "webhook", "%s resolves to %s, a loopback, link-local or private address; an operator may allow-list it", host, a)
		}
	}
	return nil
}

// Client is an HTTP client that connects only where the guard permits,
// follows no redirects and gives up after timeout.
func (g Guard) Client(timeout time.Duration) *http.Client {
	d := &net.Dialer{Timeout: timeout, Control: func(network, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return err
		}
		if !g.Permits(ap.Addr()) {
			return fmt.Errorf("webhook target %s is not allowed", ap.Addr())
		}
		return nil
	}}
	tr := &http.Transport{DialContext: d.DialContext, Proxy: nil, TLSHandshakeTimeout: timeout, ResponseHeaderTimeout: timeout, MaxIdleConns: 10}
	return &http.Client{Transport: tr, Timeout: timeout, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
}

// NewSecret makes a webhook secret.
func NewSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return "whsec_" + hex.EncodeToString(b)
}

// Sign is the signature header of body sent at ts: "sha256=" and the hex
// HMAC-SHA256, under secret, of the decimal Unix time, a dot and the body.
// Receivers recompute it and refuse old timestamps to stop replays.
func Sign(secret string, ts time.Time, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strconv.FormatInt(ts.Unix(), 10)))
	m.Write([]byte("."))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Signature headers.
const (
	HeaderSignature = "X-Reliefgap-Signature"
	HeaderTimestamp = "X-Reliefgap-Timestamp"
	HeaderEvent     = "X-Reliefgap-Event"
	HeaderDelivery  = "X-Reliefgap-Delivery"
)

// WebhookStore is what webhooks need of the database.
type WebhookStore interface {
	CreateWebhook(ctx context.Context, w *Webhook) error
	Webhooks(ctx context.Context) ([]Webhook, error)
	DeleteWebhook(ctx context.Context, id int64) error
	// Enqueue adds a delivery, and the job (JobDeliver, Ref
	// DeliveryRef(id)) that sends it, unless (webhook, event) is queued
	// already.
	Enqueue(ctx context.Context, d Delivery) error
	Delivery(ctx context.Context, id int64) (Delivery, error)
	// AdoptDeliveries queues a job for every undelivered delivery that has
	// none (made before deliveries were jobs).
	AdoptDeliveries(ctx context.Context) (int, error)
	Webhook(ctx context.Context, id int64) (Webhook, error)
	// Publications are the uploads published after data version since:
	// (version, upload) pairs, oldest first.
	Publications(ctx context.Context, since int64, limit int) ([]Publication, error)
	SetWebhookCursor(ctx context.Context, id, version int64) error
	FinishDelivery(ctx context.Context, d Delivery) error
	Deliveries(ctx context.Context, webhookID int64, limit int) ([]Delivery, error)
	DataVersion(ctx context.Context) (int64, error)
	Upload(ctx context.Context, id int64) (access.Upload, error)
	AppendAudit(ctx context.Context, e access.AuditEntry) error
	access.JobQueue
}

// JobDeliver is the kind of the durable job that sends one delivery; its
// Ref is DeliveryRef(delivery id).
const JobDeliver = "webhook.deliver"

// DeliveryRef is the Ref of the job that sends delivery id.
func DeliveryRef(id int64) string { return "webhook-delivery:" + strconv.FormatInt(id, 10) }

// Publication is a data version made by publishing an upload.
type Publication struct {
	Version  int64
	UploadID int64
	At       time.Time
}

// Webhooks manages and delivers webhooks. Each delivery is a durable job
// of kind JobDeliver on the shared job runner: the handler signs and posts
// it, and a failure puts the job back in the queue with backoff (the
// runner's Retry policy), so a delivery survives a restart and, on
// PostgreSQL, is sent by one process only.
type Webhooks struct {
	Store WebhookStore
	Guard Guard
	Log   *slog.Logger
	// Runner runs the delivery jobs; Register adds their handler to it.
	// When nil, Pass makes one of its own on Store.
	Runner      *jobs.Runner
	MaxAttempts int           // 8 by default
	Backoff     time.Duration // 30 s by default; doubles per attempt, at most 6 h
	Timeout     time.Duration // per delivery, 10 s by default
	// Now is the clock of signatures and records (time.Now when nil); the
	// job queue keeps its own (the database's) time for backoff.
	Now    func() time.Time
	client *http.Client
	once   sync.Once
}

// retry is the delivery jobs' retry policy.
func (w *Webhooks) retry() jobs.Retry {
	return jobs.Retry{MaxAttempts: w.MaxAttempts, Backoff: w.Backoff, MaxBackoff: 6 * time.Hour}
}

// Register adds the delivery handler, with its retry policy, to r.
func (w *Webhooks) Register(r *jobs.Runner) {
	w.defaults()
	r.RegisterRetrying(JobDeliver, w.RunDeliveryJob, w.retry())
}

func (w *Webhooks) defaults() { w.once.Do(w.setDefaults) }

func (w *Webhooks) setDefaults() {
	if w.Log == nil {
		w.Log = slog.New(slog.DiscardHandler)
	}
	if w.MaxAttempts <= 0 {
		w.MaxAttempts = 8
	}
	if w.Backoff <= 0 {
		w.Backoff = 30 * time.Second
	}
	if w.Timeout <= 0 {
		w.Timeout = 10 * time.Second
	}
	if w.Now == nil {
		w.Now = time.Now
	}
	if w.client == nil {
		w.client = w.Guard.Client(w.Timeout)
	}
}

// Create checks and stores a webhook made by who (an administrator); the
// returned webhook holds its secret.
func (w *Webhooks) Create(ctx context.Context, who access.Principal, rawURL, scope string) (Webhook, error) {
	w.defaults()
	if err := access.Authorize(who, access.ActManageWebhooks, ""); err != nil {
		return Webhook{}, err
	}
	if err := checkScope(scope); err != nil {
		return Webhook{}, err
	}
	if err := w.Guard.CheckURL(ctx, rawURL); err != nil {
		return Webhook{}, err
	}
	v, err := w.Store.DataVersion(ctx)
	if err != nil {
		return Webhook{}, err
	}
	h := Webhook{URL: rawURL, Secret: NewSecret(), Scope: strings.ToUpper(scope), Enabled: true, CursorVersion: v, CreatedAt: w.Now().UTC()}
	if h.Scope == "WORLD" {
		h.Scope = "world"
	}
	if strings.HasPrefix(h.Scope, "COUNTRY:") || strings.HasPrefix(h.Scope, "REGION:") {
		k, c, _ := strings.Cut(h.Scope, ":")
		h.Scope = strings.ToLower(k) + ":" + c
	}
	if err := w.Store.CreateWebhook(ctx, &h); err != nil {
		return Webhook{}, err
	}
	return h, w.Store.AppendAudit(ctx, access.AuditEntry{At: w.Now().UTC(), Actor: who.Name, KeyID: who.KeyID, Role: who.Role,
		Action: "webhook.create", Target: fmt.Sprintf("webhook:%d", h.ID), Detail: h.URL})
}

func checkScope(scope string) error {
	s := strings.ToLower(scope)
	switch {
	case s == "" || s == "world":
		return nil
	case strings.HasPrefix(s, "country:") && len(s) == len("country:")+3:
		return nil
	case strings.HasPrefix(s, "region:") && contains(access.WHORegions, strings.ToUpper(strings.TrimPrefix(s, "region:"))):
		return nil
	}
	return access.Errorf(access.Invalid, "webhook", "scope must be empty, world, country:ISO3 or region:CODE")
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// List returns every webhook, secrets removed.
func (w *Webhooks) List(ctx context.Context, who access.Principal) ([]Webhook, error) {
	if err := access.Authorize(who, access.ActManageWebhooks, ""); err != nil {
		return nil, err
	}
	hs, err := w.Store.Webhooks(ctx)
	for i := range hs {
		hs[i].Secret = ""
	}
	return hs, err
}

// Delete removes a webhook and its deliveries.
func (w *Webhooks) Delete(ctx context.Context, who access.Principal, id int64) error {
	if err := access.Authorize(who, access.ActManageWebhooks, ""); err != nil {
		return err
	}
	if err := w.Store.DeleteWebhook(ctx, id); err != nil {
		return err
	}
	w.defaults()
	return w.Store.AppendAudit(ctx, access.AuditEntry{At: w.Now().UTC(), Actor: who.Name, KeyID: who.KeyID, Role: who.Role,
		Action: "webhook.delete", Target: fmt.Sprintf("webhook:%d", id)})
}

// Deliveries lists a webhook's deliveries, newest first.
func (w *Webhooks) Deliveries(ctx context.Context, who access.Principal, id int64, limit int) ([]Delivery, error) {
	if err := access.Authorize(who, access.ActManageWebhooks, ""); err != nil {
		return nil, err
	}
	return w.Store.Deliveries(ctx, id, limit)
}

// matches reports whether an event of scope goes to webhook h. An event's
// scope is "world", "country:ISO3", "region:CODE" or "many" (a publication
// for many countries).
func matches(h Webhook, scope string) bool {
	return h.Enabled && (h.Scope == "" || h.Scope == scope || scope == "many" && h.Scope != "")
}

// Notify queues ev for every webhook whose scope it matches.
func (w *Webhooks) Notify(ctx context.Context, ev Event) error {
	w.defaults()
	hs, err := w.Store.Webhooks(ctx)
	if err != nil {
		return err
	}
	body, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	now := w.Now().UTC()
	for _, h := range hs {
		if !matches(h, ev.Scope) {
			continue
		}
		if err := w.Store.Enqueue(ctx, Delivery{WebhookID: h.ID, EventID: ev.ID, Kind: ev.Kind, Payload: body,
			Status: DeliveryPending, NextAttemptAt: &now, CreatedAt: now}); err != nil {
			return err
		}
	}
	return nil
}

// queuePublications turns publications since each webhook's cursor into
// deliveries, and moves the cursors.
func (w *Webhooks) queuePublications(ctx context.Context) error {
	hs, err := w.Store.Webhooks(ctx)
	if err != nil {
		return err
	}
	for _, h := range hs {
		pubs, err := w.Store.Publications(ctx, h.CursorVersion, 100)
		if err != nil {
			return err
		}
		for _, p := range pubs {
			u, err := w.Store.Upload(ctx, p.UploadID)
			if err != nil {
				return err
			}
			scope := "many"
			if u.Country != "" {
				scope = "country:" + u.Country
			}
			if matches(h, scope) {
				ev := Event{ID: tag("upload", fmt.Sprint(u.ID)), Kind: KindPublication, Scope: scope, At: p.At,
					Title:   fmt.Sprintf("Published: %s data (%s)", u.Kind, strings.TrimPrefix(scope, "country:")),
					Summary: fmt.Sprintf("Upload %d (%s) was published as data version %d.", u.ID, u.Filename, p.Version),
					Link:    fmt.Sprintf("/api/v1/uploads/%d", u.ID)}
				body, _ := json.Marshal(ev)
				now := w.Now().UTC()
				if err := w.Store.Enqueue(ctx, Delivery{WebhookID: h.ID, EventID: ev.ID, Kind: ev.Kind, Payload: body,
					Status: DeliveryPending, NextAttemptAt: &now, CreatedAt: now}); err != nil {
					return err
				}
			}
			if err := w.Store.SetWebhookCursor(ctx, h.ID, p.Version); err != nil {
				return err
			}
		}
	}
	return nil
}

// Pass queues new publications and, in the calling goroutine, sends every
// delivery that is due (each a job run by Runner). A failed delivery is
// queued again after its backoff and sent by a later Pass or by a runner.
func (w *Webhooks) Pass(ctx context.Context) error {
	w.defaults()
	if err := w.queuePublications(ctx); err != nil {
		return err
	}
	if w.Runner == nil {
		w.Runner = &jobs.Runner{Queue: w.Store, Log: w.Log}
		w.Register(w.Runner)
	}
	_, err := w.Runner.Drain(ctx, 1000, JobDeliver)
	return err
}

// RunDeliveryJob is the handler of JobDeliver jobs: it signs and posts
// the delivery and records the outcome on it. A failure is returned, so
// that the runner retries the job with backoff; on the last attempt the
// delivery is recorded failed. A delivered one is not sent again.
func (w *Webhooks) RunDeliveryJob(ctx context.Context, j access.Job, _ func(int64)) error {
	w.defaults()
	id, err := strconv.ParseInt(strings.TrimPrefix(j.Ref, "webhook-delivery:"), 10, 64)
	if err != nil || !strings.HasPrefix(j.Ref, "webhook-delivery:") {
		return access.Errorf(access.Invalid, "RunDeliveryJob", "job %d refers to %q, not a webhook delivery", j.ID, j.Ref)
	}
	d, err := w.Store.Delivery(ctx, id)
	if access.ErrorCode(err) == access.NotFound {
		return nil // its webhook was deleted
	}
	if err != nil {
		return err
	}
	if d.Status == DeliveryDelivered {
		return nil
	}
	h, err := w.Store.Webhook(ctx, d.WebhookID)
	if access.ErrorCode(err) == access.NotFound {
		return nil
	}
	if err != nil {
		return err
	}
	if !h.Enabled {
		d.Status, d.NextAttemptAt, d.LastError = DeliveryFailed, nil, "the webhook is disabled"
		return w.Store.FinishDelivery(ctx, d)
	}
	d.Attempts++
	serr := w.send(ctx, h, d)
	if serr != nil && ctx.Err() != nil {
		return serr // stopped, not refused: the runner resumes or records it
	}
	at := w.Now().UTC()
	if serr == nil {
		d.Status, d.DeliveredAt, d.NextAttemptAt, d.LastError = DeliveryDelivered, &at, nil, ""
	} else {
		d.LastError = serr.Error()
		if j.Attempts >= w.MaxAttempts {
			d.Status, d.NextAttemptAt = DeliveryFailed, nil
		} else {
			next := at.Add(w.retry().Delay(j.Attempts))
			d.Status, d.NextAttemptAt = DeliveryPending, &next
		}
		w.Log.WarnContext(ctx, "webhook delivery failed", "webhook", h.ID, "delivery", d.ID, "attempt", j.Attempts, "err", serr)
	}
	if err := w.Store.FinishDelivery(context.WithoutCancel(ctx), d); err != nil {
		return errors.Join(serr, err)
	}
	return serr
}

// send posts one delivery, signed.
func (w *Webhooks) send(ctx context.Context, h Webhook, d Delivery) error {
	ctx, cancel := context.WithTimeout(ctx, w.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.URL, bytes.NewReader(d.Payload))
	if err != nil {
		return err
	}
	ts := w.Now().UTC()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "reliefgap-webhook/1")
	req.Header.Set(HeaderEvent, d.Kind)
	req.Header.Set(HeaderDelivery, strconv.FormatInt(d.ID, 10))
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts.Unix(), 10))
	req.Header.Set(HeaderSignature, Sign(h.Secret, ts, d.Payload))
	resp, err := w.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return errors.New("the receiver answered " + resp.Status)
	}
	return nil
}

// Run queues new publications every tick until ctx ends; the shared job
// runner (given to Register) sends the deliveries.
func (w *Webhooks) Run(ctx context.Context, tick time.Duration) {
	w.defaults()
	if n, err := w.Store.AdoptDeliveries(ctx); err != nil {
		w.Log.WarnContext(ctx, "queueing earlier webhook deliveries", "err", err)
	} else if n > 0 {
		w.Log.InfoContext(ctx, "queued earlier webhook deliveries as jobs", "count", n)
	}
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		if err := w.queuePublications(ctx); err != nil && ctx.Err() == nil {
			w.Log.ErrorContext(ctx, "webhooks", "err", err)
		}
		if w.Runner != nil {
			w.Runner.Wake()
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
