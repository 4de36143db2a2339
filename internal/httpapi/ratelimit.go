package httpapi

import (
	"container/list"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"

	"github.com/reliefgap/reliefgap/internal/access"
)

// Limit is a token bucket: a sustained rate and a burst.
type Limit struct {
	PerSecond float64
	Burst     int
}

// RateLimits are the request limits per client IP (the public) and per API
// key. Zero fields take defaults; Disabled turns limiting off.
type RateLimits struct {
	Public   Limit // per IP, without a key (and for invalid keys)
	Ministry Limit // per ministry key
	Elevated Limit // per advocate or administrator key
	// MaxClients bounds the number of buckets kept; the least recently
	// seen are evicted first.
	MaxClients int
	Disabled   bool
}

// DefaultRateLimits are sensible for a public deployment.
var DefaultRateLimits = RateLimits{
	Public:     Limit{PerSecond: 5, Burst: 20},
	Ministry:   Limit{PerSecond: 10, Burst: 40},
	Elevated:   Limit{PerSecond: 50, Burst: 200},
	MaxClients: 10000,
}

func (r RateLimits) withDefaults() RateLimits {
	d := DefaultRateLimits
	fill := func(l *Limit, def Limit) {
		if l.PerSecond <= 0 {
			l.PerSecond = def.PerSecond
		}
		if l.Burst <= 0 {
			l.Burst = def.Burst
		}
	}
	fill(&r.Public, d.Public)
	fill(&r.Ministry, d.Ministry)
	fill(&r.Elevated, d.Elevated)
	if r.MaxClients <= 0 {
		r.MaxClients = d.MaxClients
	}
	return r
}

// limiters is a bounded LRU of token buckets.
type limiters struct {
	cfg   RateLimits
	mu    sync.Mutex
	items map[string]*list.Element
	lru   *list.List
}

type bucket struct {
	key string
	lim *rate.Limiter
}

func newLimiters(cfg RateLimits) *limiters {
	return &limiters{cfg: cfg, items: map[string]*list.Element{}, lru: list.New()}
}

// reserve takes a token from key's bucket, and says how long to wait when
// there is none.
func (l *limiters) reserve(key string, lim Limit) (ok bool, retry time.Duration) {
	now := time.Now()
	l.mu.Lock()
	el, found := l.items[key]
	if found {
		l.lru.MoveToFront(el)
	} else {
		for l.lru.Len() >= l.cfg.MaxClients {
			old := l.lru.Back()
			l.lru.Remove(old)
			delete(l.items, old.Value.(*bucket).key)
		}
		el = l.lru.PushFront(&bucket{key: key, lim: rate.NewLimiter(rate.Limit(lim.PerSecond), lim.Burst)})
		l.items[key] = el
	}
	b := el.Value.(*bucket)
	l.mu.Unlock()
	r := b.lim.ReserveN(now, 1)
	if !r.OK() {
		return false, time.Second
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// rateLimit counts the request against its key, or its IP when there is
// no valid key, and refuses with 429 and Retry-After when the bucket is
// empty. An invalid key is refused with 401 only after it was counted.
func (s *Server) rateLimit(c *gin.Context) {
	if !s.cfg.RateLimit.Disabled {
		key, lim := "ip:"+c.ClientIP(), s.cfg.RateLimit.Public
		if p, ok := principalOf(c); ok && p.KeyID != 0 {
			key = "key:" + strconv.FormatInt(p.KeyID, 10)
			lim = s.cfg.RateLimit.Ministry
			if p.Role == access.RoleAdvocate || p.Role == access.RoleAdmin {
				lim = s.cfg.RateLimit.Elevated
			}
		}
		if ok, retry := s.limits.reserve(key, lim); !ok {
			secs := int(math.Ceil(retry.Seconds()))
			if secs < 1 {
				secs = 1
			}
			s.writeError(c, &httpError{status: http.StatusTooManyRequests,
				detail: "too many requests; retry after " + strconv.Itoa(secs) + "s",
				header: http.Header{"Retry-After": {strconv.Itoa(secs)}}})
			return
		}
	}
	if v, ok := c.Get(ctxAuthErr); ok {
		s.writeError(c, v.(error))
		return
	}
	c.Next()
}
