package store

import (
	"context"
	"time"

	"github.com/reliefgap/reliefgap/internal/access"
)

type sessionRow struct {
	Hash      string    `gorm:"column:hash;primaryKey"`
	KeyID     int64     `gorm:"column:key_id"`
	CSRF      string    `gorm:"column:csrf"`
	CreatedAt time.Time `gorm:"column:created_at"`
	ExpiresAt time.Time `gorm:"column:expires_at"`
}

func (sessionRow) TableName() string { return "web_sessions" }

func (r sessionRow) toDomain() access.Session {
	return access.Session{Hash: r.Hash, KeyID: r.KeyID, CSRF: r.CSRF, CreatedAt: r.CreatedAt.UTC(), ExpiresAt: r.ExpiresAt.UTC()}
}

// CreateSession stores a browser session (the hash of its token only).
func (s *Store) CreateSession(ctx context.Context, sess access.Session) error {
	r := sessionRow{Hash: sess.Hash, KeyID: sess.KeyID, CSRF: sess.CSRF, CreatedAt: sess.CreatedAt.UTC(), ExpiresAt: sess.ExpiresAt.UTC()}
	return translate(s.db.WithContext(ctx).Create(&r).Error, "store.CreateSession")
}

// SessionByHash returns the session whose token hashes to hash, if it has
// not expired at now and its key is not revoked, with that key.
func (s *Store) SessionByHash(ctx context.Context, hash string, now time.Time) (access.Session, access.APIKey, error) {
	var r sessionRow
	err := s.db.WithContext(ctx).Where("hash = ? AND expires_at > ?", hash, now.UTC()).Take(&r).Error
	if err != nil {
		return access.Session{}, access.APIKey{}, translate(err, "store.SessionByHash")
	}
	var k keyWithUser
	err = s.db.WithContext(ctx).Table("api_keys").Select(keySelect).Joins("JOIN users ON users.id = api_keys.user_id").
		Where("api_keys.id = ? AND api_keys.revoked_at IS NULL", r.KeyID).Take(&k).Error
	if err != nil {
		return access.Session{}, access.APIKey{}, translate(err, "store.SessionByHash")
	}
	return r.toDomain(), k.toDomain(), nil
}

// DeleteSession ends a session; ending an unknown one is not an error.
func (s *Store) DeleteSession(ctx context.Context, hash string) error {
	return translate(s.db.WithContext(ctx).Where("hash = ?", hash).Delete(&sessionRow{}).Error, "store.DeleteSession")
}

// DeleteExpiredSessions removes every session that ended before now.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time) error {
	return translate(s.db.WithContext(ctx).Where("expires_at <= ?", now.UTC()).Delete(&sessionRow{}).Error, "store.DeleteExpiredSessions")
}
