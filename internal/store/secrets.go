package store

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/reliefgap/reliefgap/internal/access"
)

// Webhook secrets at rest
//
// A webhook's secret signs what is sent to it, so it is kept, not hashed.
// With a secret key configured (Options.SecretKey, RELIEFGAP_SECRET_KEY)
// it is stored sealed with AES-256-GCM, as "enc1:" and the base64 of the
// nonce and the sealed bytes: a copy of the database (a backup, a dump)
// then does not give the secrets away. Without a key secrets are stored as
// they are, and a sealed one cannot be read. Opening the store with a key
// seals the secrets stored before it was set; opening it with a new key
// and the previous one (Options.PreviousSecretKey) seals them again with
// the new key.

// sealedPrefix starts a sealed secret. Secrets are made by
// alerts.NewSecret ("whsec_…"), so no plain secret starts with it.
const sealedPrefix = "enc1:"

// SecretKeyLen is the length of Options.SecretKey.
const SecretKeyLen = 32

// ParseSecretKey reads a secret key given as the base64 of 32 bytes.
func ParseSecretKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(s); err == nil && len(k) == SecretKeyLen {
			return k, nil
		}
	}
	return nil, fmt.Errorf("the secret key is not the base64 of %d bytes (make one with: openssl rand -base64 %d)", SecretKeyLen, SecretKeyLen)
}

// sealer seals and opens secrets with the configured key; a nil sealer
// keeps them as they are. previous, when set, opens what an earlier key
// sealed.
type sealer struct{ aead, previous cipher.AEAD }

func newSealer(key, previous []byte) (*sealer, error) {
	if key == nil {
		if previous != nil {
			return nil, fmt.Errorf("a previous secret key is given without the secret key that replaces it")
		}
		return nil, nil
	}
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	k := &sealer{aead: aead}
	if previous != nil {
		if k.previous, err = newAEAD(previous); err != nil {
			return nil, fmt.Errorf("previous key: %w", err)
		}
	}
	return k, nil
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	if len(key) != SecretKeyLen {
		return nil, fmt.Errorf("the secret key is %d bytes; it must be %d", len(key), SecretKeyLen)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// seal returns plain as it is to be stored.
func (k *sealer) seal(plain string) string {
	if k == nil {
		return plain
	}
	nonce := make([]byte, k.aead.NonceSize())
	_, _ = rand.Read(nonce)
	return sealedPrefix + base64.StdEncoding.EncodeToString(k.aead.Seal(nonce, nonce, []byte(plain), []byte("webhook secret")))
}

// open returns the secret stored as stored.
func (k *sealer) open(stored string) (string, error) {
	plain, _, err := k.openWith(stored)
	return plain, err
}

// openWith is open, and says whether the previous key opened it.
func (k *sealer) openWith(stored string) (plain string, previous bool, err error) {
	const op = "store.Webhook"
	b64, sealed := strings.CutPrefix(stored, sealedPrefix)
	if !sealed {
		return stored, false, nil
	}
	if k == nil {
		return "", false, access.Errorf(access.Internal, op, "the webhook secrets are stored sealed and no secret key is set: set RELIEFGAP_SECRET_KEY to the key they were sealed with")
	}
	b, err := base64.StdEncoding.DecodeString(b64)
	n := k.aead.NonceSize()
	if err != nil || len(b) < n {
		return "", false, access.Errorf(access.Internal, op, "a sealed webhook secret is damaged")
	}
	if p, err := k.aead.Open(nil, b[:n], b[n:], []byte("webhook secret")); err == nil {
		return string(p), false, nil
	}
	if k.previous != nil {
		if p, err := k.previous.Open(nil, b[:n], b[n:], []byte("webhook secret")); err == nil {
			return string(p), true, nil
		}
	}
	return "", false, access.Errorf(access.Internal, op, "a webhook secret cannot be opened: RELIEFGAP_SECRET_KEY is not the key it was sealed with (give the old one as RELIEFGAP_SECRET_KEY_PREVIOUS to change keys)")
}

// sealStoredSecrets seals, once a key is set, the webhook secrets stored
// as they are, and those the previous key sealed.
func (s *Store) sealStoredSecrets(ctx context.Context) error {
	if s.secrets == nil {
		return nil
	}
	var rows []webhookRow
	if err := s.db.WithContext(ctx).Find(&rows).Error; err != nil {
		return translate(err, "store.Open")
	}
	n, unopened := 0, 0
	for _, r := range rows {
		plain, previous, err := s.secrets.openWith(r.Secret)
		if err != nil {
			unopened++ // left as it is: reading that webhook says why
			continue
		}
		if strings.HasPrefix(r.Secret, sealedPrefix) && !previous {
			continue // sealed with the key already
		}
		// Conditional: another process sealing it meanwhile wins.
		if err := s.db.WithContext(ctx).Exec("UPDATE webhooks SET secret = ? WHERE id = ? AND secret = ?", s.secrets.seal(plain), r.ID, r.Secret).Error; err != nil {
			return translate(err, "store.Open")
		}
		n++
	}
	if n > 0 {
		s.log.Info("webhook secrets sealed with the secret key", "webhooks", n)
	}
	if unopened > 0 {
		s.log.Warn("webhook secrets sealed with another key cannot be opened: give that key as RELIEFGAP_SECRET_KEY_PREVIOUS", "webhooks", unopened)
	}
	return nil
}
