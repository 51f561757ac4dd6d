package session_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/storage/memstore"
	"github.com/gatehouse-go/gatehouse/token"
	"github.com/gatehouse-go/gatehouse/user"
)

func ExampleManager_Login() {
	ctx := context.Background()
	store := memstore.New(memstore.Config{})
	key, _ := token.GenerateEd25519("")
	keys, _ := token.NewKeySet(key)
	hasher, _ := user.NewHasher(user.HasherConfig{Bcrypt: user.BcryptConfig{Cost: user.MinBcryptCost}})
	m, err := session.New(store, keys, session.Config{Hasher: hasher})
	if err != nil {
		panic(err)
	}
	hash, _ := hasher.Hash("correct horse battery staple")
	_, _ = store.Users().CreateUser(ctx, user.User{ID: "u1", Username: "alice", Company: "acme", PasswordHash: hash})

	res, err := m.Login(ctx, session.LoginRequest{Username: "alice", Password: "correct horse battery staple"})
	if err != nil {
		panic(err)
	}
	// The token and the cookie id name the same live session.
	byToken, _ := m.Authenticate(ctx, session.Credential{Bearer: res.Token})
	byCookie, _ := m.Authenticate(ctx, session.Credential{SessionID: res.SessionID})
	fmt.Println(byToken.User.Username, byToken.Session.IDHash == byCookie.Session.IDHash)

	_, err = m.Login(ctx, session.LoginRequest{Username: "alice", Password: "wrong"})
	fmt.Println(errors.Is(err, session.ErrInvalidCredentials))

	_ = m.Logout(ctx, byToken, session.Client{})
	_, err = m.Authenticate(ctx, session.Credential{Bearer: res.Token})
	fmt.Println(errors.Is(err, session.ErrUnauthenticated))
	// Output:
	// alice true
	// true
	// true
}
