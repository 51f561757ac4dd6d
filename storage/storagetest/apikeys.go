package storagetest

import (
	"context"
	"fmt"
	"time"

	"github.com/gatehouse-go/gatehouse/storage"
)

// newAPIKey returns key n of userID, made at created and expiring a day
// later, narrowed to one role.
func newAPIKey(n int, userID string, created time.Time) storage.APIKey {
	return storage.APIKey{
		ID:        fmt.Sprintf("key%d", n),
		KeyHash:   fmt.Sprintf("%064x", n+0xbee0),
		UserID:    userID,
		Name:      fmt.Sprintf("deploy script %d", n),
		Roles:     []string{"viewer"},
		CreatedAt: created,
		ExpiresAt: created.Add(24 * time.Hour),
		Epoch:     2,
	}
}

func normAPIKey(k storage.APIKey) storage.APIKey {
	k.CreatedAt = normTime(k.CreatedAt)
	k.ExpiresAt = normTime(k.ExpiresAt)
	k.LastUsedAt = normTime(k.LastUsedAt)
	k.Roles = normSlice(k.Roles)
	return k
}

func normAPIKeys(ks []storage.APIKey) []storage.APIKey {
	out := make([]storage.APIKey, len(ks))
	for i, k := range ks {
		out[i] = normAPIKey(k)
	}
	return out
}

func createAPIKey(t reporter, e *env, k storage.APIKey) {
	t.Helper()
	noErr(t, e.APIKeys().CreateAPIKey(ctx(t), k), "CreateAPIKey")
}

func requireAPIKey(t reporter, e *env, want storage.APIKey) {
	t.Helper()
	got, err := e.APIKeys().GetAPIKey(ctx(t), want.KeyHash)
	noErr(t, err, "GetAPIKey")
	equal(t, normAPIKey(want), normAPIKey(got))
}

func apiKeyChecks() []check {
	return []check{
		{"a store should create an API key and return it by its hash as it was created", func(t reporter, e *env) {
			k := newAPIKey(1, "u1", e.now())
			createAPIKey(t, e, k)
			requireAPIKey(t, e, k)
			all := newAPIKey(2, "u1", e.now())
			all.Roles = nil
			createAPIKey(t, e, all)
			requireAPIKey(t, e, all)
		}},
		{"a store should return ErrNotFound for a missing API key", func(t reporter, e *env) {
			createAPIKey(t, e, newAPIKey(1, "u1", e.now()))
			missing := newAPIKey(2, "u1", e.now())
			_, err := e.APIKeys().GetAPIKey(ctx(t), missing.KeyHash)
			errIs(t, err, storage.ErrNotFound, "GetAPIKey")
			errIs(t, e.APIKeys().TouchAPIKey(ctx(t), missing.KeyHash, e.now()), storage.ErrNotFound, "TouchAPIKey")
			errIs(t, e.APIKeys().RevokeAPIKey(ctx(t), "u1", missing.ID), storage.ErrNotFound, "RevokeAPIKey")
			_, err = e.APIKeys().GetAPIKey(ctx(t), newAPIKey(1, "u1", e.now()).ID)
			errIs(t, err, storage.ErrNotFound, "GetAPIKey by the public id must find nothing")
		}},
		{"a store should reject an API key with an empty id, hash or user id as ErrInvalid", func(t reporter, e *env) {
			for _, f := range []func(*storage.APIKey){
				func(k *storage.APIKey) { k.ID = "" },
				func(k *storage.APIKey) { k.KeyHash = "" },
				func(k *storage.APIKey) { k.UserID = "" },
			} {
				k := newAPIKey(1, "u1", e.now())
				f(&k)
				errIs(t, e.APIKeys().CreateAPIKey(ctx(t), k), storage.ErrInvalid)
			}
			ks, err := e.APIKeys().ListAPIKeys(ctx(t), "u1")
			noErr(t, err)
			empty(t, ks, "a rejected key was stored")
		}},
		{"a store should reject a duplicate API key id or hash as ErrConflict and keep the first key", func(t reporter, e *env) {
			first := newAPIKey(1, "u1", e.now())
			createAPIKey(t, e, first)
			sameHash := newAPIKey(2, "u2", e.now())
			sameHash.KeyHash = first.KeyHash
			errIs(t, e.APIKeys().CreateAPIKey(ctx(t), sameHash), storage.ErrConflict, "same hash")
			sameID := newAPIKey(3, "u2", e.now())
			sameID.ID = first.ID
			errIs(t, e.APIKeys().CreateAPIKey(ctx(t), sameID), storage.ErrConflict, "same id")
			requireAPIKey(t, e, first)
			_, err := e.APIKeys().GetAPIKey(ctx(t), sameID.KeyHash)
			errIs(t, err, storage.ErrNotFound, "the key with the duplicate id was stored")
			ks, err := e.APIKeys().ListAPIKeys(ctx(t), "u2")
			noErr(t, err)
			empty(t, ks, "a rejected key is listed")
		}},
		{"a store should revoke an API key idempotently and still return it", func(t reporter, e *env) {
			k := newAPIKey(1, "u1", e.now())
			other := newAPIKey(2, "u1", e.now())
			createAPIKey(t, e, k)
			createAPIKey(t, e, other)
			noErr(t, e.APIKeys().RevokeAPIKey(ctx(t), "u1", k.ID))
			k.Revoked = true
			requireAPIKey(t, e, k)
			noErr(t, e.APIKeys().RevokeAPIKey(ctx(t), "u1", k.ID), "second revoke")
			requireAPIKey(t, e, k)
			requireAPIKey(t, e, other)
		}},
		{"a store should not revoke another user's API key, and should answer ErrNotFound", func(t reporter, e *env) {
			k := newAPIKey(1, "u1", e.now())
			createAPIKey(t, e, k)
			errIs(t, e.APIKeys().RevokeAPIKey(ctx(t), "u2", k.ID), storage.ErrNotFound)
			errIs(t, e.APIKeys().RevokeAPIKey(ctx(t), "", k.ID), storage.ErrNotFound, "empty user id")
			requireAPIKey(t, e, k)
		}},
		{"a store should move LastUsedAt of an API key only forward", func(t reporter, e *env) {
			k := newAPIKey(1, "u1", e.now())
			createAPIKey(t, e, k)
			later := k.CreatedAt.Add(10 * time.Minute)
			noErr(t, e.APIKeys().TouchAPIKey(ctx(t), k.KeyHash, later))
			k.LastUsedAt = later
			requireAPIKey(t, e, k)
			noErr(t, e.APIKeys().TouchAPIKey(ctx(t), k.KeyHash, later.Add(-5*time.Minute)), "an older time")
			requireAPIKey(t, e, k)
			latest := later.Add(time.Millisecond)
			noErr(t, e.APIKeys().TouchAPIKey(ctx(t), k.KeyHash, latest))
			k.LastUsedAt = latest
			requireAPIKey(t, e, k)
		}},
		{"a store should list only the user's API keys, revoked ones too, ordered by creation", func(t reporter, e *env) {
			now := e.now()
			b := newAPIKey(2, "u1", now.Add(time.Minute))
			a := newAPIKey(1, "u1", now)
			c := newAPIKey(3, "u2", now)
			createAPIKey(t, e, b)
			createAPIKey(t, e, a)
			createAPIKey(t, e, c)
			noErr(t, e.APIKeys().RevokeAPIKey(ctx(t), "u1", b.ID))
			b.Revoked = true
			ks, err := e.APIKeys().ListAPIKeys(ctx(t), "u1")
			noErr(t, err)
			equal(t, normAPIKeys([]storage.APIKey{a, b}), normAPIKeys(ks))
			ks, err = e.APIKeys().ListAPIKeys(ctx(t), "nobody")
			noErr(t, err)
			empty(t, ks)
		}},
		{"a store should not let a caller change an API key through a value passed in or returned", func(t reporter, e *env) {
			k := newAPIKey(1, "u1", e.now())
			k.Roles = []string{"viewer", "sales"}
			want := k.Clone()
			createAPIKey(t, e, k)
			k.Roles[0] = "admin"
			requireAPIKey(t, e, want)
			got, err := e.APIKeys().GetAPIKey(ctx(t), want.KeyHash)
			noErr(t, err)
			got.Roles[0] = "admin"
			ks, err := e.APIKeys().ListAPIKeys(ctx(t), "u1")
			noErr(t, err)
			hasLen(t, ks, 1)
			ks[0].Roles[0] = "admin"
			requireAPIKey(t, e, want)
		}},
		{"a store should keep API key names and roles exactly", func(t reporter, e *env) {
			k := newAPIKey(1, "u1", e.now())
			k.Name = "it's \"CI\", ключ: *\n\tend"
			k.Roles = []string{"a_b", "Z9", "sales"}
			createAPIKey(t, e, k)
			requireAPIKey(t, e, k)
		}},
	}
}

func apiKeysContext() contextCase {
	return contextCase{
		seed: func(t reporter, e *env) {
			t.Helper()
			createAPIKey(t, e, newAPIKey(1, "u1", e.now()))
		},
		state: func(t reporter, e *env) any {
			t.Helper()
			ks, err := e.APIKeys().ListAPIKeys(ctx(t), "u1")
			noErr(t, err)
			return normAPIKeys(ks)
		},
		calls: func(e *env) []call {
			s := e.APIKeys()
			now := e.now()
			k := newAPIKey(1, "u1", now)
			return []call{
				{"CreateAPIKey", func(ctx context.Context) error { return s.CreateAPIKey(ctx, newAPIKey(2, "u1", now)) }},
				{"GetAPIKey", func(ctx context.Context) error { _, err := s.GetAPIKey(ctx, k.KeyHash); return err }},
				{"ListAPIKeys", func(ctx context.Context) error { _, err := s.ListAPIKeys(ctx, "u1"); return err }},
				{"RevokeAPIKey", func(ctx context.Context) error { return s.RevokeAPIKey(ctx, "u1", k.ID) }},
				{"TouchAPIKey", func(ctx context.Context) error { return s.TouchAPIKey(ctx, k.KeyHash, now.Add(time.Hour)) }},
			}
		},
	}
}
