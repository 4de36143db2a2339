package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/internal/store"
)

// Retention removes the bytes of old dry runs and rejected uploads, keeps
// bytes a kept upload shares, keeps every upload row, audits the run, and
// a later upload of the same bytes stores them again.
func TestPruneBlobs(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Second)
		old := now.Add(-100 * 24 * time.Hour)
		put := func(content string, status access.UploadStatus, at time.Time) access.Upload {
			t.Helper()
			sum := sha256.Sum256([]byte(content))
			sha := hex.EncodeToString(sum[:])
			if err := s.PutBlob(ctx, sha, []byte(content)); err != nil {
				t.Fatal(err)
			}
			u := access.Upload{SHA256: sha, Filename: "f.csv", Size: int64(len(content)), Kind: access.KindConsumption,
				Country: "KEN", Uploader: "t", UploaderKey: 7, Status: status, ReceivedAt: at}
			if _, _, err := s.CreateUpload(ctx, &u, false, nil); err != nil {
				t.Fatal(err)
			}
			return u
		}
		dry := put("dry run bytes", access.StatusDryRun, old)             // 13 bytes: removed
		rej := put("rejected bytes!", access.StatusRejected, old)         // 15 bytes: removed
		recent := put("recent rejection", access.StatusRejected, now)     // kept: too young
		shared := put("shared with a kept one", access.StatusDryRun, old) // kept: shared
		put("shared with a kept one", access.StatusPublished, old)
		if n, err := s.StoredBytes(ctx, 7, ""); err != nil || n != 13+15+16+22 {
			t.Fatalf("stored bytes before = %d, %v; want 66", n, err)
		}
		res, err := s.PruneBlobs(ctx, now.Add(-90*24*time.Hour), access.AuditEntry{Actor: "op"})
		if err != nil {
			t.Fatal(err)
		}
		if res.Files != 2 || res.Bytes != 13+15 {
			t.Fatalf("pruned %+v, want 2 files of 28 bytes", res)
		}
		for _, u := range []access.Upload{dry, rej} {
			if _, err := s.Blob(ctx, u.SHA256); access.ErrorCode(err) != access.NotFound {
				t.Fatalf("pruned bytes still served: %v", err)
			}
			if got, err := s.Upload(ctx, u.ID); err != nil || got.Status != u.Status {
				t.Fatalf("upload row after pruning: %+v %v", got, err)
			}
		}
		for _, u := range []access.Upload{recent, shared} {
			if _, err := s.Blob(ctx, u.SHA256); err != nil {
				t.Fatalf("kept bytes gone: %v", err)
			}
		}
		if n, _ := s.StoredBytes(ctx, 7, ""); n != 16+22 {
			t.Fatalf("stored bytes after = %d, want 38", n)
		}
		es, _ := s.Audit(ctx, 1)
		if len(es) != 1 || es[0].Action != "retention.prune" {
			t.Fatalf("audit: %+v", es)
		}
		if again, _ := s.PruneBlobs(ctx, now.Add(-90*24*time.Hour), access.AuditEntry{Actor: "op"}); again.Files != 0 {
			t.Fatalf("a second run pruned %+v", again)
		}
		if err := s.PutBlob(ctx, dry.SHA256, []byte("dry run bytes")); err != nil {
			t.Fatal(err)
		}
		if b, err := s.Blob(ctx, dry.SHA256); err != nil || string(b) != "dry run bytes" {
			t.Fatalf("re-sent bytes: %q %v", b, err)
		}
	})
}
