package gatehouse_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/gatehouse-go/gatehouse"
	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/user"
)

// The host mounts the API and protects its own routes with the middleware.
func ExampleGatehouse_Authenticate() {
	ctx := context.Background()
	hasher, _ := user.NewHasher(user.HasherConfig{Bcrypt: user.BcryptConfig{Cost: user.MinBcryptCost}})
	g, err := gatehouse.New(gatehouse.Config{Session: session.Config{Hasher: hasher}})
	if err != nil {
		panic(err)
	}
	defer g.Close()
	_ = g.Store().Roles().PutRole(ctx, permissions.Role{Code: "viewer",
		Entities: map[string][]permissions.Op{"Customer": {permissions.OpRead}}})
	hash, _ := hasher.Hash("s3cret-password")
	_, _ = g.Store().Users().CreateUser(ctx, user.User{ID: "u1", Username: "alice", Company: "acme",
		PasswordHash: hash, Roles: []string{"viewer"}})

	mux := http.NewServeMux()
	mux.Handle("/auth/", http.StripPrefix("/auth", g.Handler()))
	customers := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, _ := session.FromContext(r.Context())
		fmt.Fprintf(w, "customers for %s", a.User.Username)
	})
	mux.Handle("GET /customers", g.Authenticate(g.RequireEntity("Customer", permissions.OpRead)(customers)))
	mux.Handle("DELETE /customers", g.Authenticate(g.RequireEntity("Customer", permissions.OpDelete)(customers)))

	// Log in for a token.
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("POST", "/auth/token", strings.NewReader(`{"username":"alice","password":"s3cret-password"}`))
	req.Header.Set("Content-Type", "application/json")
	mux.ServeHTTP(rec, req)
	tok := strings.Trim(strings.TrimSpace(rec.Body.String()), `"`)

	for _, method := range []string{"GET", "DELETE"} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(method, "/customers", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		mux.ServeHTTP(rec, req)
		fmt.Println(method, rec.Code)
	}
	// Output:
	// GET 200
	// DELETE 403
}
