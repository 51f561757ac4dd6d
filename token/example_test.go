package token_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/gatehouse-go/gatehouse/token"
)

// A key set signs with its active key and verifies with every key it
// holds, so a rotation logs nobody out; removing the old key ends the
// tokens it signed.
func ExampleKeySet_rotation() {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	cfg := token.Config{Now: func() time.Time { return now }}

	first, _ := token.GenerateEd25519("2030-01")
	keys, _ := token.NewKeySet(first)
	signer, _ := token.NewSigner(keys, cfg)
	verifier, _ := token.NewVerifier(keys, cfg)

	id := token.Identity{Subject: "u42", SessionID: "sess-1"}
	old, _, _ := signer.Issue(id, time.Hour)

	second, _ := token.GenerateEd25519("2030-02")
	if err := keys.Rotate(second); err != nil {
		panic(err)
	}
	fresh, _, _ := signer.Issue(id, time.Hour)

	_, err := verifier.Verify(old)
	fmt.Println("old token after rotation:", err)
	_, err = verifier.Verify(fresh)
	fmt.Println("new token:", err)
	fmt.Println("keys:", keys.KIDs())

	_ = keys.Remove("2030-01")
	_, err = verifier.Verify(old)
	fmt.Println("old token after removal:", err)
	// Output:
	// old token after rotation: <nil>
	// new token: <nil>
	// keys: [2030-01 2030-02]
	// old token after removal: token: unknown key
}

// Verification errors can be told apart with errors.Is, for logs and
// metrics. An HTTP layer answers all of them with the same 401.
func ExampleVerifier_errorChecking() {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	cfg := token.Config{Now: func() time.Time { return now }}

	key, _ := token.GenerateEd25519("")
	keys, _ := token.NewKeySet(key)
	signer, _ := token.NewSigner(keys, cfg)
	verifier, _ := token.NewVerifier(keys, cfg)

	tok, _, _ := signer.Issue(token.Identity{Subject: "u42", SessionID: "sess-1"}, time.Minute)
	now = now.Add(2 * time.Minute) // past exp and the 30 s leeway

	for _, t := range []string{tok, "not-a-token"} {
		_, err := verifier.Verify(t)
		switch {
		case errors.Is(err, token.ErrExpired):
			fmt.Println("expired: log in again")
		case errors.Is(err, token.ErrMalformed):
			fmt.Println("malformed")
		case err != nil:
			fmt.Println("refused:", err)
		}
	}
	// Output:
	// expired: log in again
	// malformed
}

// The JWKS document publishes public keys only, for
// GET /.well-known/jwks.json.
func ExampleKeySet_JWKS() {
	secret := []byte("an example secret of 32+ bytes!!")
	hs, _ := token.NewHMACKey("shared", secret)
	keys, _ := token.NewKeySet(hs)
	doc, _ := keys.JWKS()
	fmt.Println(string(doc)) // HMAC keys are never published
	// Output:
	// {"keys":[]}
}

// Issue a token for a session and read its claims back.
func ExampleSigner_Issue() {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	cfg := token.Config{Service: "example", Now: func() time.Time { return now }}
	key, _ := token.GenerateEd25519("k1")
	keys, _ := token.NewKeySet(key)
	signer, _ := token.NewSigner(keys, cfg)
	verifier, _ := token.NewVerifier(keys, cfg)

	tok, _, err := signer.Issue(token.Identity{
		Subject: "u42", SessionID: "sess-1", Name: "alice", Roles: []string{"admin"}, Company: "acme",
	}, 0) // 0: the default lifetime, 86400 s
	if err != nil {
		panic(err)
	}
	c, err := verifier.Verify(tok)
	if err != nil {
		panic(err)
	}
	fmt.Println(c.Subject, c.SessionID, c.Name, c.Roles, c.Company, c.Issuer, c.Audience)
	fmt.Println(c.ExpiresAt.Sub(c.IssuedAt))

	_, _, err = signer.Issue(token.Identity{Subject: "u42", SessionID: "sess-1"}, 59*time.Second)
	fmt.Println(err)
	// Output:
	// u42 sess-1 alice [admin] acme example [example]
	// 24h0m0s
	// token: ttl 59s out of range 60..31556926 seconds
}
