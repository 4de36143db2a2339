package store

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/internal/alerts"
)

type webhookRow struct {
	ID            int64     `gorm:"column:id;primaryKey"`
	URL           string    `gorm:"column:url"`
	Secret        string    `gorm:"column:secret"`
	Scope         string    `gorm:"column:scope"`
	Enabled       bool      `gorm:"column:enabled"`
	CursorVersion int64     `gorm:"column:cursor_version"`
	CreatedAt     time.Time `gorm:"column:created_at"`
}

func (webhookRow) TableName() string { return "webhooks" }

type deliveryRow struct {
	ID            int64      `gorm:"column:id;primaryKey"`
	WebhookID     int64      `gorm:"column:webhook_id"`
	EventID       string     `gorm:"column:event_id"`
	Kind          string     `gorm:"column:kind"`
	Payload       string     `gorm:"column:payload"`
	Status        string     `gorm:"column:status"`
	Attempts      int        `gorm:"column:attempts"`
	NextAttemptAt *time.Time `gorm:"column:next_attempt_at"`
	LastError     string     `gorm:"column:last_error"`
	ClaimedBy     string     `gorm:"column:claimed_by"`
	CreatedAt     time.Time  `gorm:"column:created_at"`
	DeliveredAt   *time.Time `gorm:"column:delivered_at"`
}

func (deliveryRow) TableName() string { return "webhook_deliveries" }

func (r deliveryRow) toDomain() alerts.Delivery {
	return alerts.Delivery{ID: r.ID, WebhookID: r.WebhookID, EventID: r.EventID, Kind: r.Kind, Payload: []byte(r.Payload),
		Status: r.Status, Attempts: r.Attempts, NextAttemptAt: utcPtr(r.NextAttemptAt), LastError: r.LastError,
		CreatedAt: r.CreatedAt.UTC(), DeliveredAt: utcPtr(r.DeliveredAt)}
}

// CreateWebhook stores a webhook and sets its ID.
func (s *Store) CreateWebhook(ctx context.Context, w *alerts.Webhook) error {
	r := webhookRow{URL: w.URL, Secret: s.secrets.seal(w.Secret), Scope: w.Scope, Enabled: w.Enabled, CursorVersion: w.CursorVersion, CreatedAt: w.CreatedAt.UTC()}
	if err := s.db.WithContext(ctx).Create(&r).Error; err != nil {
		return translate(err, "store.CreateWebhook")
	}
	w.ID = r.ID
	return nil
}

// Webhooks lists every webhook by id, with its secret.
func (s *Store) Webhooks(ctx context.Context) ([]alerts.Webhook, error) {
	var rows []webhookRow
	if err := s.db.WithContext(ctx).Order("id").Find(&rows).Error; err != nil {
		return nil, translate(err, "store.Webhooks")
	}
	out := make([]alerts.Webhook, len(rows))
	for i, r := range rows {
		var err error
		if out[i], err = s.webhookOf(r); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// webhookOf is a stored webhook, its secret opened.
func (s *Store) webhookOf(r webhookRow) (alerts.Webhook, error) {
	secret, err := s.secrets.open(r.Secret)
	if err != nil {
		return alerts.Webhook{}, err
	}
	return alerts.Webhook{ID: r.ID, URL: r.URL, Secret: secret, Scope: r.Scope, Enabled: r.Enabled,
		CursorVersion: r.CursorVersion, CreatedAt: r.CreatedAt.UTC()}, nil
}

// Webhook returns one webhook, with its secret.
func (s *Store) Webhook(ctx context.Context, id int64) (alerts.Webhook, error) {
	var r webhookRow
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return alerts.Webhook{}, translate(err, "store.Webhook")
	}
	return s.webhookOf(r)
}

// Delivery returns one delivery.
func (s *Store) Delivery(ctx context.Context, id int64) (alerts.Delivery, error) {
	var r deliveryRow
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return alerts.Delivery{}, translate(err, "store.Delivery")
	}
	return r.toDomain(), nil
}

// DeleteWebhook removes a webhook and its deliveries.
func (s *Store) DeleteWebhook(ctx context.Context, id int64) error {
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("webhook_id = ?", id).Delete(&deliveryRow{}).Error; err != nil {
			return err
		}
		res := tx.Where("id = ?", id).Delete(&webhookRow{})
		if res.Error == nil && res.RowsAffected == 0 {
			return gorm.ErrRecordNotFound
		}
		return res.Error
	})
	return translate(err, "store.DeleteWebhook")
}

// Enqueue adds a delivery and, in the same transaction, the job that sends
// it, unless its (webhook, event) is queued already.
func (s *Store) Enqueue(ctx context.Context, d alerts.Delivery) error {
	r := deliveryRow{WebhookID: d.WebhookID, EventID: d.EventID, Kind: d.Kind, Payload: string(d.Payload), Status: d.Status,
		NextAttemptAt: utcPtr(d.NextAttemptAt), CreatedAt: d.CreatedAt.UTC()}
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		res := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "webhook_id"}, {Name: "event_id"}}, DoNothing: true}).Create(&r)
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		return enqueue(tx, &access.Job{Kind: alerts.JobDeliver, Ref: alerts.DeliveryRef(r.ID)})
	})
	return translate(err, "store.Enqueue")
}

// Publications are the data versions made by publishing an upload, after
// since, oldest first.
func (s *Store) Publications(ctx context.Context, since int64, limit int) ([]alerts.Publication, error) {
	rows, err := s.db.WithContext(ctx).Raw(`SELECT version, upload_id, created_at FROM data_versions
		WHERE version > ? AND upload_id IS NOT NULL ORDER BY version LIMIT ?`, since, limit).Rows()
	if err != nil {
		return nil, translate(err, "store.Publications")
	}
	defer rows.Close()
	var out []alerts.Publication
	for rows.Next() {
		var p alerts.Publication
		if err := rows.Scan(&p.Version, &p.UploadID, &p.At); err != nil {
			return nil, translate(err, "store.Publications")
		}
		p.At = p.At.UTC()
		out = append(out, p)
	}
	return out, translate(rows.Err(), "store.Publications")
}

// SetWebhookCursor records that publications up to version were queued.
func (s *Store) SetWebhookCursor(ctx context.Context, id, version int64) error {
	err := s.db.WithContext(ctx).Model(&webhookRow{}).Where("id = ? AND cursor_version < ?", id, version).Update("cursor_version", version).Error
	return translate(err, "store.SetWebhookCursor")
}

// AdoptDeliveries queues a job for every undelivered delivery that has
// none queued or running (deliveries made before they were jobs, or whose
// job was lost), at most 1000 at a time, and returns how many it queued.
func (s *Store) AdoptDeliveries(ctx context.Context) (int, error) {
	n := 0
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		var ids []int64
		if err := tx.Model(&deliveryRow{}).Where("status IN ?", []string{alerts.DeliveryPending, "sending"}).
			Order("id").Limit(1000).Pluck("id", &ids).Error; err != nil {
			return err
		}
		for _, id := range ids {
			var c int64
			ref := alerts.DeliveryRef(id)
			if err := tx.Model(&jobRow{}).Where("ref = ? AND kind = ? AND status IN ?", ref, alerts.JobDeliver,
				[]string{string(access.JobQueued), string(access.JobRunning)}).Count(&c).Error; err != nil {
				return err
			}
			if c > 0 {
				continue
			}
			if err := enqueue(tx, &access.Job{Kind: alerts.JobDeliver, Ref: ref}); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, translate(err, "store.AdoptDeliveries")
}

// FinishDelivery records a delivery's outcome.
func (s *Store) FinishDelivery(ctx context.Context, d alerts.Delivery) error {
	err := s.db.WithContext(ctx).Model(&deliveryRow{ID: d.ID}).Updates(map[string]any{
		"status": d.Status, "attempts": d.Attempts, "next_attempt_at": utcPtr(d.NextAttemptAt), "last_error": d.LastError,
		"delivered_at": utcPtr(d.DeliveredAt),
	}).Error
	return translate(err, "store.FinishDelivery")
}

// Deliveries lists a webhook's deliveries, newest first.
func (s *Store) Deliveries(ctx context.Context, webhookID int64, limit int) ([]alerts.Delivery, error) {
	var rows []deliveryRow
	if err := s.db.WithContext(ctx).Where("webhook_id = ?", webhookID).Order("id DESC").Limit(limit).Find(&rows).Error; err != nil {
		return nil, translate(err, "store.Deliveries")
	}
	out := make([]alerts.Delivery, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}
