package store

import (
	"context"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/reliefgap/reliefgap/internal/access"
)

type userRow struct {
	ID        int64     `gorm:"column:id;primaryKey"`
	Name      string    `gorm:"column:name"`
	Role      string    `gorm:"column:role"`
	Country   string    `gorm:"column:country"`
	CreatedAt time.Time `gorm:"column:created_at"`
}

func (userRow) TableName() string { return "users" }

type keyRow struct {
	ID         int64      `gorm:"column:id;primaryKey"`
	UserID     int64      `gorm:"column:user_id"`
	Prefix     string     `gorm:"column:prefix"`
	Hash       string     `gorm:"column:hash"`
	CreatedAt  time.Time  `gorm:"column:created_at"`
	LastUsedAt *time.Time `gorm:"column:last_used_at"`
	RevokedAt  *time.Time `gorm:"column:revoked_at"`
	ExpiresAt  *time.Time `gorm:"column:expires_at"`
}

func (keyRow) TableName() string { return "api_keys" }

type keyWithUser struct {
	ID         int64      `gorm:"column:id"`
	Prefix     string     `gorm:"column:prefix"`
	Hash       string     `gorm:"column:hash"`
	CreatedAt  time.Time  `gorm:"column:created_at"`
	LastUsedAt *time.Time `gorm:"column:last_used_at"`
	RevokedAt  *time.Time `gorm:"column:revoked_at"`
	ExpiresAt  *time.Time `gorm:"column:expires_at"`
	ReplacedBy *int64     `gorm:"column:replaced_by"`
	Name       string     `gorm:"column:name"`
	Role       string     `gorm:"column:role"`
	Country    string     `gorm:"column:country"`
}

func (k keyWithUser) toDomain() access.APIKey {
	out := access.APIKey{ID: k.ID, Name: k.Name, Role: access.Role(k.Role), Country: k.Country, Prefix: k.Prefix,
		Hash: k.Hash, CreatedAt: k.CreatedAt.UTC(), LastUsedAt: k.LastUsedAt, RevokedAt: k.RevokedAt, ExpiresAt: k.ExpiresAt}
	if k.ExpiresAt != nil {
		at := k.ExpiresAt.UTC()
		out.ExpiresAt = &at
	}
	if k.ReplacedBy != nil {
		out.ReplacedBy = *k.ReplacedBy
	}
	return out
}

const keySelect = "api_keys.id, api_keys.prefix, api_keys.hash, api_keys.created_at, api_keys.last_used_at, api_keys.revoked_at, api_keys.expires_at, api_keys.replaced_by, users.name, users.role, users.country"

// CreateKey stores a user and its key (the key's hash only), sets its ID,
// and writes the audit entry in the same transaction.
func (s *Store) CreateKey(ctx context.Context, k *access.APIKey, audit access.AuditEntry) error {
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		u := userRow{Name: k.Name, Role: string(k.Role), Country: k.Country, CreatedAt: k.CreatedAt}
		if err := tx.Create(&u).Error; err != nil {
			return err
		}
		r := keyRow{UserID: u.ID, Prefix: k.Prefix, Hash: k.Hash, CreatedAt: k.CreatedAt, ExpiresAt: k.ExpiresAt}
		if err := tx.Create(&r).Error; err != nil {
			return err
		}
		k.ID = r.ID
		audit.Target = "key:" + itoa(r.ID)
		return appendAudit(tx, audit)
	})
	return translate(err, "store.CreateKey")
}

// KeyByHash finds an unrevoked key by the hash of its secret.
func (s *Store) KeyByHash(ctx context.Context, hash string) (access.APIKey, error) {
	var r keyWithUser
	err := s.reader().WithContext(ctx).Table("api_keys").Select(keySelect).Joins("JOIN users ON users.id = api_keys.user_id").
		Where("api_keys.hash = ? AND api_keys.revoked_at IS NULL", hash).Take(&r).Error
	if err != nil {
		return access.APIKey{}, translate(err, "store.KeyByHash")
	}
	return r.toDomain(), nil
}

// Keys lists every key, newest first.
func (s *Store) Keys(ctx context.Context) ([]access.APIKey, error) {
	var rows []keyWithUser
	err := s.reader().WithContext(ctx).Table("api_keys").Select(keySelect).Joins("JOIN users ON users.id = api_keys.user_id").
		Order("api_keys.id DESC").Find(&rows).Error
	if err != nil {
		return nil, translate(err, "store.Keys")
	}
	out := make([]access.APIKey, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}

// RevokeKey revokes a key and writes its audit entry in one transaction;
// revoking twice is not an error.
func (s *Store) RevokeKey(ctx context.Context, id int64, at time.Time, audit access.AuditEntry) error {
	return translate(s.inTx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&keyRow{}).Where("id = ?", id).Update("revoked_at", gorm.Expr("COALESCE(revoked_at, ?)", at))
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return access.Errorf(access.NotFound, "store.RevokeKey", "no key %d", id)
		}
		return appendAudit(tx, audit)
	}), "store.RevokeKey")
}

// ExpireKey sets when a key stops working and what replaced it, with its
// audit entry, in one transaction.
func (s *Store) ExpireKey(ctx context.Context, id int64, at time.Time, replacedBy int64, audit access.AuditEntry) error {
	return translate(s.inTx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&keyRow{}).Where("id = ?", id).Updates(map[string]any{"expires_at": at, "replaced_by": replacedBy})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return access.Errorf(access.NotFound, "store.ExpireKey", "no key %d", id)
		}
		return appendAudit(tx, audit)
	}), "store.ExpireKey")
}

// Key finds a key by ID, revoked or not.
func (s *Store) Key(ctx context.Context, id int64) (access.APIKey, error) {
	var r keyWithUser
	err := s.db.WithContext(ctx).Table("api_keys").Select(keySelect).Joins("JOIN users ON users.id = api_keys.user_id").
		Where("api_keys.id = ?", id).Take(&r).Error
	if err != nil {
		return access.APIKey{}, translate(err, "store.Key")
	}
	return r.toDomain(), nil
}

// TouchKey records when a key was last used.
//
// On an SQLite file the one writer may be busy with an import for a while:
// the write then happens in the background, and is skipped while one is
// already waiting, so that no request waits for it.
func (s *Store) TouchKey(ctx context.Context, id int64, at time.Time) error {
	touch := func(ctx context.Context) error {
		return s.db.WithContext(ctx).Model(&keyRow{}).Where("id = ?", id).Update("last_used_at", at).Error
	}
	if s.rdb == nil {
		return translate(touch(ctx), "store.TouchKey")
	}
	select {
	case s.touching <- struct{}{}:
	default:
		return nil
	}
	go func() {
		defer func() { <-s.touching }()
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		if err := touch(ctx); err != nil {
			s.log.Debug("cannot record a key's last use", "key_id", id, "err", err)
		}
	}()
	return nil
}

type auditRow struct {
	ID         int64     `gorm:"column:id;primaryKey"`
	At         time.Time `gorm:"column:at"`
	Actor      string    `gorm:"column:actor"`
	KeyID      int64     `gorm:"column:key_id"`
	Role       string    `gorm:"column:role"`
	Action     string    `gorm:"column:action"`
	Target     string    `gorm:"column:target"`
	RemoteAddr string    `gorm:"column:remote_addr"`
	Detail     string    `gorm:"column:detail"`
}

func (auditRow) TableName() string { return "audit_log" }

// AppendAudit writes one audit entry.
func (s *Store) AppendAudit(ctx context.Context, e access.AuditEntry) error {
	return translate(appendAudit(s.db.WithContext(ctx), e), "store.AppendAudit")
}

// appendAudit writes one audit entry with tx, so that it shares the
// transaction of the action it records.
func appendAudit(tx *gorm.DB, e access.AuditEntry) error {
	if e.At.IsZero() {
		e.At = time.Now().UTC()
	}
	r := auditRow{At: e.At, Actor: e.Actor, KeyID: e.KeyID, Role: string(e.Role), Action: e.Action, Target: e.Target,
		RemoteAddr: e.RemoteAddr, Detail: e.Detail}
	return tx.Create(&r).Error
}

// Audit lists audit entries, newest first.
func (s *Store) Audit(ctx context.Context, limit int) ([]access.AuditEntry, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	var rows []auditRow
	if err := s.reader().WithContext(ctx).Order("id DESC").Limit(limit).Find(&rows).Error; err != nil {
		return nil, translate(err, "store.Audit")
	}
	out := make([]access.AuditEntry, len(rows))
	for i, r := range rows {
		out[i] = access.AuditEntry{ID: r.ID, At: r.At.UTC(), Actor: r.Actor, KeyID: r.KeyID, Role: access.Role(r.Role),
			Action: r.Action, Target: r.Target, RemoteAddr: r.RemoteAddr, Detail: r.Detail}
	}
	return out, nil
}

type settingRow struct {
	Key   string `gorm:"column:key;primaryKey"`
	Value string `gorm:"column:value"`
}

func (settingRow) TableName() string { return "settings" }

// settingHistoryRow is one setting change: settings hold the current
// values, settings_history every value with the data version it took
// effect at.
type settingHistoryRow struct {
	ID        int64     `gorm:"column:id;primaryKey"`
	Key       string    `gorm:"column:key"`
	Value     string    `gorm:"column:value"`
	Version   int64     `gorm:"column:version"`
	ChangedAt time.Time `gorm:"column:changed_at"`
}

func (settingHistoryRow) TableName() string { return "settings_history" }

// SettingAsOf returns a setting as it stood at data version v (0: now) and
// whether it was set then.
func (s *Store) SettingAsOf(ctx context.Context, key string, v int64) (string, bool, error) {
	if v <= 0 {
		return s.Setting(ctx, key)
	}
	var rows []settingHistoryRow
	if err := s.reader().WithContext(ctx).Where("key = ? AND version <= ?", key, v).Order("version DESC, id DESC").Limit(1).Find(&rows).Error; err != nil {
		return "", false, translate(err, "store.SettingAsOf")
	}
	if len(rows) == 0 {
		return "", false, nil
	}
	return rows[0].Value, true, nil
}

// Setting returns a stored setting and whether it exists.
func (s *Store) Setting(ctx context.Context, key string) (string, bool, error) {
	var rows []settingRow
	if err := s.reader().WithContext(ctx).Where("key = ?", key).Limit(1).Find(&rows).Error; err != nil {
		return "", false, translate(err, "store.Setting")
	}
	if len(rows) == 0 {
		return "", false, nil
	}
	return rows[0].Value, true, nil
}

// SetSetting stores a setting.
func (s *Store) SetSetting(ctx context.Context, key, value string) error {
	return translate(s.inTx(ctx, func(tx *gorm.DB) error {
		if err := tx.Save(&settingRow{Key: key, Value: value}).Error; err != nil {
			return err
		}
		v, err := bumpDataVersion(tx, "setting "+key, 0)
		if err != nil {
			return err
		}
		return tx.Create(&settingHistoryRow{Key: key, Value: value, Version: v, ChangedAt: time.Now().UTC()}).Error
	}), "store.SetSetting")
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }
