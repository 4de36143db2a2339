package store_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/internal/store"
)

// A file stored from a reader is kept in parts of 1 MiB and read back
// whole, byte for byte; storing it again reads nothing; retention removes
// its parts, and sending it again stores them again.
func TestBlobParts(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		// 2.5 MiB: parts of 1 MiB, 1 MiB and 0.5 MiB.
		data := bytes.Repeat([]byte("0123456789abcdef"), 5<<16)
		data = append(data, "tail"...)
		sum := sha256.Sum256(data)
		sha := hex.EncodeToString(sum[:])
		if err := s.PutBlobFrom(ctx, sha, int64(len(data)), bytes.NewReader(data)); err != nil {
			t.Fatal(err)
		}
		got, err := s.Blob(ctx, sha)
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("read back %d bytes (want %d), %v", len(got), len(data), err)
		}
		var buf bytes.Buffer
		if err := s.BlobTo(ctx, sha, &buf); err != nil || !bytes.Equal(buf.Bytes(), data) {
			t.Fatalf("BlobTo: %d bytes, %v", buf.Len(), err)
		}
		// Stored already: the reader is not read (it would fail).
		if err := s.PutBlobFrom(ctx, sha, int64(len(data)), failingReader{}); err != nil {
			t.Fatalf("second store: %v", err)
		}
		// A reader that gives fewer bytes than announced stores nothing.
		short := "short file"
		ssum := sha256.Sum256([]byte(short))
		ssha := hex.EncodeToString(ssum[:])
		if err := s.PutBlobFrom(ctx, ssha, 100, strings.NewReader(short)); err == nil {
			t.Fatal("a short read was stored")
		}
		if _, err := s.Blob(ctx, ssha); access.ErrorCode(err) != access.NotFound {
			t.Fatalf("after a failed store: %v", err)
		}
		// Nor does one that gives more, or fails part way (after a part).
		long := data[:len(data)-1]
		lsum := sha256.Sum256(long)
		lsha := hex.EncodeToString(lsum[:])
		if err := s.PutBlobFrom(ctx, lsha, int64(len(long)-10), bytes.NewReader(long)); err == nil {
			t.Fatal("a longer file was stored")
		}
		if err := s.PutBlobFrom(ctx, lsha, int64(len(long)), io.MultiReader(bytes.NewReader(long[:3<<19]), failingReader{})); err == nil {
			t.Fatal("a failed read was stored")
		}
		if _, err := s.Blob(ctx, lsha); access.ErrorCode(err) != access.NotFound {
			t.Fatalf("after failed stores: %v", err)
		}
		// Retention, then the same bytes sent again.
		old := time.Now().UTC().Add(-100 * 24 * time.Hour)
		u := access.Upload{SHA256: sha, Filename: "big.csv", Size: int64(len(data)), Kind: access.KindConsumption,
			Uploader: "t", Status: access.StatusRejected, ReceivedAt: old}
		if _, _, err := s.CreateUpload(ctx, &u, false, nil); err != nil {
			t.Fatal(err)
		}
		res, err := s.PruneBlobs(ctx, time.Now().UTC().Add(-90*24*time.Hour), access.AuditEntry{Actor: "op"})
		if err != nil || res.Files != 1 || res.Bytes != int64(len(data)) {
			t.Fatalf("pruned %+v, %v", res, err)
		}
		if _, err := s.Blob(ctx, sha); access.ErrorCode(err) != access.NotFound {
			t.Fatalf("pruned parts still served: %v", err)
		}
		if err := s.PutBlobFrom(ctx, sha, int64(len(data)), bytes.NewReader(data)); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Blob(ctx, sha); err != nil || !bytes.Equal(got, data) {
			t.Fatalf("re-sent: %d bytes, %v", len(got), err)
		}
	})
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errRead }

var errRead = &access.Error{Code: access.Internal, Msg: "read"}
