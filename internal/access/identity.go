package access

import "time"

// Role is what an API key may do.
type Role string

const (
	RoleAdmin    Role = "admin"
	RoleAdvocate Role = "advocate"
	RoleMinistry Role = "ministry"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleAdmin || r == RoleAdvocate || r == RoleMinistry }

// Principal is who is acting: the holder of an API key, the local operator
// (the command line, acting as an administrator), or the public.
type Principal struct {
	KeyID   int64
	Name    string
	Role    Role   // "" for the public
	Country string // the one country a ministry key may write
}

// Operator is the local command-line operator.
var Operator = Principal{Name: "operator", Role: RoleAdmin}

// IsAdmin reports whether p may do everything.
func (p Principal) IsAdmin() bool { return p.Role == RoleAdmin }

// CanWriteCountry reports whether p may upload data scoped to iso3.
func (p Principal) CanWriteCountry(iso3 string) bool {
	switch p.Role {
	case RoleAdmin:
		return true
	case RoleMinistry:
		return iso3 != "" && p.Country == iso3
	}
	return false
}

// APIKey is a stored key. The secret is never stored: only its SHA-256.
type APIKey struct {
	ID         int64
	Name       string
	Role       Role
	Country    string
	Prefix     string // first characters of the secret, to tell keys apart
	Hash       string // hex SHA-256 of the secret
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
	// ExpiresAt, when set, is when the key stops working.
	ExpiresAt *time.Time
	// ReplacedBy is the key that replaced this one when it was rotated.
	ReplacedBy int64
}

// Expired reports whether the key has expired at now.
func (k APIKey) Expired(now time.Time) bool {
	return k.ExpiresAt != nil && !now.Before(*k.ExpiresAt)
}

// AuditEntry records one write: who, when, what and from where.
type AuditEntry struct {
	ID         int64
	At         time.Time
	Actor      string
	KeyID      int64
	Role       Role
	Action     string // upload, publish, reject, key.create, key.revoke, import
	Target     string // e.g. "upload:12"
	RemoteAddr string
	Detail     string
}
