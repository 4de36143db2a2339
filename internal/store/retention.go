package store

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/reliefgap/reliefgap/internal/access"
)

// PruneResult says what a retention run removed.
type PruneResult struct {
	Files int   // stored files whose bytes were removed
	Bytes int64 // bytes removed
}

// PruneBlobs removes the stored bytes of dry runs and rejected uploads
// received before cutoff, unless the same bytes also belong to an upload
// that is kept (submitted, published, superseded, or still in progress).
// Upload rows and the audit log stay; the run is audited in the same
// transaction. Uploading the same bytes again stores them again.
func (s *Store) PruneBlobs(ctx context.Context, cutoff time.Time, audit access.AuditEntry) (PruneResult, error) {
	var res PruneResult
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		const doomed = `FROM upload_blobs b WHERE b.pruned_at IS NULL
 AND EXISTS (SELECT 1 FROM uploads u WHERE u.sha256 = b.sha256 AND u.status IN ('dry-run', 'rejected') AND u.received_at < ?)
 AND NOT EXISTS (SELECT 1 FROM uploads u WHERE u.sha256 = b.sha256 AND (u.status NOT IN ('dry-run', 'rejected') OR u.received_at >= ?))`
		if err := tx.Raw(`SELECT COUNT(*), COALESCE(SUM(b.size), 0) `+doomed, cutoff, cutoff).Row().Scan(&res.Files, &res.Bytes); err != nil {
			return err
		}
		// Annotated workbooks of the same old dry runs and rejections go too.
		if err := tx.Exec(`DELETE FROM upload_annotations WHERE upload_id IN (SELECT id FROM uploads WHERE status IN ('dry-run', 'rejected') AND received_at < ?)`, cutoff).Error; err != nil {
			return err
		}
		if res.Files == 0 {
			return nil
		}
		if err := tx.Exec(`DELETE FROM upload_blob_parts WHERE sha256 IN (SELECT b.sha256 `+doomed+`)`, cutoff, cutoff).Error; err != nil {
			return err
		}
		if err := tx.Exec(`UPDATE upload_blobs SET data = ?, parts = 0, pruned_at = ? WHERE sha256 IN (SELECT b.sha256 `+doomed+`)`,
			[]byte{}, time.Now().UTC(), cutoff, cutoff).Error; err != nil {
			return err
		}
		audit.Action = "retention.prune"
		audit.Detail = "removed the bytes of " + itoa(int64(res.Files)) + " files (" + itoa(res.Bytes) + " bytes) of dry runs and rejected uploads received before " + cutoff.UTC().Format(time.RFC3339)
		return appendAudit(tx, audit)
	})
	return res, translate(err, "store.PruneBlobs")
}

// StoredBytes is the size of the files still stored for uploads made with
// key keyID (when non-zero) or for country (when not empty), each file
// counted once: what a storage quota is checked against.
func (s *Store) StoredBytes(ctx context.Context, keyID int64, country string) (int64, error) {
	q := `SELECT COALESCE(SUM(b.size), 0) FROM upload_blobs b WHERE b.pruned_at IS NULL AND EXISTS
 (SELECT 1 FROM uploads u WHERE u.sha256 = b.sha256 AND (u.uploader_key_id = ? OR (u.country = ? AND ? <> '')))`
	var n int64
	if err := s.reader().WithContext(ctx).Raw(q, keyID, country, country).Row().Scan(&n); err != nil {
		return 0, translate(err, "store.StoredBytes")
	}
	return n, nil
}
