package access

import (
	"context"
	"testing"
)

// uploadsStore holds uploads by id for the visibility rules.
type uploadsStore struct {
	nullImportStore
	byID map[int64]Upload
}

func (s uploadsStore) Upload(_ context.Context, id int64) (Upload, error) {
	u, ok := s.byID[id]
	if !ok {
		return Upload{}, Errorf(NotFound, "", "no upload %d", id)
	}
	return u, nil
}

func (s uploadsStore) Uploads(_ context.Context, f UploadFilter) ([]Upload, error) {
	var out []Upload
	for _, u := range s.byID {
		if f.Country == "" || u.Country == f.Country {
			out = append(out, u)
		}
	}
	return out, nil
}

// Role × action × own/other country over the import service's reads and
// decisions (the HTTP access matrix checks the same through the API).
func TestImportServiceAuthorization(t *testing.T) {
	st := uploadsStore{byID: map[int64]Upload{1: {ID: 1, Country: "KEN"}, 2: {ID: 2, Country: "UGA"}, 3: {ID: 3}}}
	s := &ImportService{Store: st}
	ctx := context.Background()
	public, advocate := Principal{}, Principal{KeyID: 2, Role: RoleAdvocate}
	ken := Principal{KeyID: 3, Role: RoleMinistry, Country: "KEN"}
	admin := Principal{KeyID: 1, Role: RoleAdmin}
	const ok Code = ""
	for _, c := range []struct {
		who  Principal
		id   int64
		want Code
	}{
		{public, 1, Unauthorized}, {advocate, 1, Forbidden}, {ken, 1, ok}, {ken, 2, NotFound}, {ken, 3, NotFound},
		{ken, 9, NotFound}, {admin, 2, ok}, {admin, 3, ok},
	} {
		_, err := s.Upload(ctx, c.who, c.id)
		if got := ErrorCode(err); (err == nil) != (c.want == ok) || (err != nil && got != c.want) {
			t.Errorf("Upload(%d) by %s/%s: %v, want %q", c.id, c.who.Role, c.who.Country, err, c.want)
		}
	}
	if us, err := s.Uploads(ctx, ken, UploadFilter{}); err != nil || len(us) != 1 || us[0].ID != 1 {
		t.Errorf("Uploads by KEN = %+v, %v", us, err)
	}
	if _, err := s.Uploads(ctx, ken, UploadFilter{Country: "UGA"}); ErrorCode(err) != Forbidden {
		t.Errorf("Uploads of UGA by KEN: %v", err)
	}
	if _, err := s.Uploads(ctx, advocate, UploadFilter{}); ErrorCode(err) != Forbidden {
		t.Errorf("Uploads by an advocate: %v", err)
	}
	for _, c := range []struct {
		who  Principal
		want Code
	}{{public, Unauthorized}, {advocate, Forbidden}, {ken, Forbidden}} {
		if _, err := s.Publish(ctx, c.who, 1, ""); ErrorCode(err) != c.want {
			t.Errorf("Publish by %s: %v", c.who.Role, err)
		}
		if _, err := s.Reject(ctx, c.who, 1, "no", ""); ErrorCode(err) != c.want {
			t.Errorf("Reject by %s: %v", c.who.Role, err)
		}
	}
	for _, c := range []struct {
		who  Principal
		want Code
	}{{public, Unauthorized}, {advocate, Forbidden}, {ken, ok}, {admin, ok}} {
		if err := s.CanUpload(c.who); ErrorCode(err) != c.want {
			t.Errorf("CanUpload by %s: %v", c.who.Role, err)
		}
	}
}
