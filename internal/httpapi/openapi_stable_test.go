package httpapi

import (
	"bytes"
	"encoding/json"
	"testing"
)

// The document is the same every time it is made (its ETag and any cached
// copy depend on that).
func TestOpenAPIIsDeterministic(t *testing.T) {
	first, err := json.Marshal(OpenAPI("x"))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		again, _ := json.Marshal(OpenAPI("x"))
		if !bytes.Equal(first, again) {
			t.Fatalf("run %d made a different document", i)
		}
	}
}
