package token

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// KeySet holds the keys of a service: one active key that signs new
// tokens, and any number of other keys that only verify. Tokens name
// their key by kid, and [Verifier] finds it in the set by an exact map
// lookup: nothing in a token ever loads, fetches or builds a key.
//
// Rotation: [KeySet.Rotate] adds a new active key while the previous one
// keeps verifying the tokens it signed, so nobody is logged out; once
// those tokens have expired (at most the longest TTL later),
// [KeySet.Remove] drops the old key and every token it signed stops
// verifying at once.
//
// The zero value is an empty set. A KeySet is safe for concurrent use;
// changes take effect for the next call of [Verifier.Verify] and
// [Signer.Issue].
type KeySet struct {
	mu     sync.RWMutex
	keys   map[string]*Key
	active *Key
}

// NewKeySet returns a set whose active key is active, also holding the
// verification keys others. The active key must be able to sign, and all
// kids must differ.
func NewKeySet(active *Key, others ...*Key) (*KeySet, error) {
	s := &KeySet{}
	for _, k := range others {
		if err := s.Add(k); err != nil {
			return nil, err
		}
	}
	if err := s.Rotate(active); err != nil {
		return nil, err
	}
	return s, nil
}

// Add adds a key that verifies tokens and can later be made active with
// [KeySet.SetActive]. A kid already in the set is refused with
// [ErrDuplicateKey].
func (s *KeySet) Add(k *Key) error {
	if k == nil {
		return fmt.Errorf("%w: nil key", ErrInvalidKey)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addLocked(k)
}

func (s *KeySet) addLocked(k *Key) error {
	if _, ok := s.keys[k.kid]; ok {
		return fmt.Errorf("%w: %q", ErrDuplicateKey, k.kid)
	}
	if s.keys == nil {
		s.keys = make(map[string]*Key)
	}
	s.keys[k.kid] = k
	return nil
}

// SetActive makes the key with this kid, already in the set, the one that
// signs new tokens. It fails with [ErrUnknownKey] for a kid not in the set
// and [ErrNoSigningKey] for a verify-only key.
func (s *KeySet) SetActive(kid string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.keys[kid]
	if !ok {
		return fmt.Errorf("%w: %q", ErrUnknownKey, kid)
	}
	if !k.CanSign() {
		return fmt.Errorf("%w: key %q is verify-only", ErrNoSigningKey, kid)
	}
	s.active = k
	return nil
}

// Rotate adds k and makes it the active key in one step. The previously
// active key stays in the set and keeps verifying the tokens it signed
// until it is removed.
func (s *KeySet) Rotate(k *Key) error {
	if k == nil {
		return fmt.Errorf("%w: nil key", ErrInvalidKey)
	}
	if !k.CanSign() {
		return fmt.Errorf("%w: key %q is verify-only", ErrNoSigningKey, k.kid)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.addLocked(k); err != nil {
		return err
	}
	s.active = k
	return nil
}

// Remove drops the key with this kid: from now on every token it signed
// is refused with [ErrUnknownKey]. The active key cannot be removed
// ([ErrActiveKey]); a kid not in the set is [ErrUnknownKey].
func (s *KeySet) Remove(kid string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.keys[kid]; !ok {
		return fmt.Errorf("%w: %q", ErrUnknownKey, kid)
	}
	if s.active != nil && s.active.kid == kid {
		return fmt.Errorf("%w: %q", ErrActiveKey, kid)
	}
	delete(s.keys, kid)
	return nil
}

// Key returns the key with this kid, if the set holds it.
func (s *KeySet) Key(kid string) (*Key, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	k, ok := s.keys[kid]
	return k, ok
}

// Active returns the key that signs new tokens, or nil if there is none.
func (s *KeySet) Active() *Key {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.active
}

// KIDs returns the kids of every key in the set, sorted.
func (s *KeySet) KIDs() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	ids := make([]string, 0, len(s.keys))
	for id := range s.keys {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// JWKS returns the public keys of the set as a JSON Web Key Set document
// (RFC 7517 §5), for serving at /.well-known/jwks.json: {"keys":[...]},
// sorted by kid, each key with "kid", "alg", "use":"sig" and its public
// parameters only ("crv" and "x" for Ed25519; "crv", "x", "y" for P-256;
// "n" and "e" for RSA). Private material is never included, and HMAC keys
// are left out entirely, since knowing one is enough to sign.
func (s *KeySet) JWKS() ([]byte, error) {
	s.mu.RLock()
	keys := make([]jwk, 0, len(s.keys))
	for _, k := range s.keys {
		if k.alg != HS256 {
			keys = append(keys, k.jwk())
		}
	}
	s.mu.RUnlock()
	slices.SortFunc(keys, func(a, b jwk) int { return strings.Compare(a.KID, b.KID) })
	b, err := json.Marshal(struct {
		Keys []jwk `json:"keys"`
	}{keys})
	if err != nil {
		return nil, fmt.Errorf("token: encode jwks: %w", err)
	}
	return b, nil
}
