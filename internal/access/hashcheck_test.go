package access

import (
	"errors"
	"io"
	"strings"
	"testing"

	"crypto/sha256"
)

// hashCheck passes the bytes through and fails at the end only when they
// are not the ones hashed.
func TestHashCheck(t *testing.T) {
	want := SHA256Hex([]byte("the bytes hashed"))
	got, err := io.ReadAll(&hashCheck{r: strings.NewReader("the bytes hashed"), h: sha256.New(), want: want})
	if err != nil || string(got) != "the bytes hashed" {
		t.Fatalf("same bytes: %q, %v", got, err)
	}
	_, err = io.ReadAll(&hashCheck{r: strings.NewReader("the bytes changed"), h: sha256.New(), want: want})
	var e *Error
	if !errors.As(err, &e) || e.Code != Conflict {
		t.Fatalf("changed bytes: %v", err)
	}
}
