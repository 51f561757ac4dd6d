package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"

	"github.com/gatehouse-go/gatehouse"
	"github.com/gatehouse-go/gatehouse/gatehousetest"
	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/token"
	"github.com/gatehouse-go/gatehouse/user"
)

// loadUser is the user every target serves, as bench's authUser: two
// roles (one including the other), a few attributes and a parameter.
var loadUser = user.User{
	ID: "id-alice", Username: "alice", Name: "Alice Example", Email: "alice@example.com", Company: "acme",
	Roles:      []string{"sales", "viewer"},
	Attributes: map[string]string{"dep_id": "42", "allowFTP": "true", "kind": "7"},
	Parameters: map[string]string{"generate_ddl": "1"},
}

// loadPassword is loadUser's password.
const loadPassword = "password1"

// loadRoles are the roles loadUser holds, as bench's authRoles.
var loadRoles = []permissions.Role{
	{Code: "viewer", Entities: map[string][]permissions.Op{"*": {permissions.OpRead}}},
	{Code: "sales", Base: []string{"viewer"},
		Entities:   map[string][]permissions.Op{"Customer": {permissions.OpCreate, permissions.OpRead, permissions.OpUpdate}},
		Attributes: map[string]map[string]permissions.Access{"Customer": {"*": permissions.Modify}},
		Specifics:  []string{"entity_export_to_file"}},
}

// seed stores loadRoles and loadUser in store.
func seed(ctx context.Context, store storage.Store) error {
	for _, r := range loadRoles {
		if err := store.Roles().PutRole(ctx, r); err != nil {
			return err
		}
	}
	u := loadUser.Clone()
	var err error
	if u.PasswordHash, err = gatehousetest.Hasher().Hash(loadPassword); err != nil {
		return err
	}
	_, err = store.Users().CreateUser(ctx, u)
	return err
}

// gatehouseOptions are the knobs of a gatehouse target beyond its store.
type gatehouseOptions struct {
	// hs256 signs tokens with an HS256 key instead of Ed25519.
	hs256 bool
	// configure, when set, adjusts the Config (the cached mode's hook).
	configure func(*gatehouse.Config) error
}

// newGatehouse builds a Gatehouse over store (closed on close), with the
// real clock and gatehousetest's fast hasher (logins are not measured),
// serves its API on a listener of its own, and returns its address.
func (e *env) newGatehouse(store storage.Store, o gatehouseOptions) (*gatehouse.Gatehouse, string, error) {
	var key *token.Key
	var err error
	if o.hs256 {
		secret := make([]byte, 32)
		_, _ = rand.Read(secret)
		key, err = token.NewHMACKey("hs1", secret)
	} else {
		key, err = token.GenerateEd25519("ed1")
	}
	if err != nil {
		return nil, "", err
	}
	keys, err := token.NewKeySet(key)
	if err != nil {
		return nil, "", err
	}
	cfg := gatehouse.Config{
		Store: store, Keys: keys, Logger: logger,
		Service:        gatehouse.Service{Name: "bench", Server: "bench"},
		Session:        session.Config{Hasher: gatehousetest.Hasher()},
		InsecureCookie: true,
	}
	if o.configure != nil {
		if err := o.configure(&cfg); err != nil {
			return nil, "", err
		}
	}
	g, err := gatehouse.New(cfg)
	if err != nil {
		return nil, "", err
	}
	e.defer_(func() { g.Close() })
	addr, err := e.listen(g.Handler())
	return g, addr, err
}

// logger is the targets' gatehouse logger: warnings and errors (a 5xx
// answer, a failed audit write) to stderr, not the info record of every
// refusal.
var logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))

// client is the HTTP client of logins, logouts and checks (not of the
// load, which has its own).
var client = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4, DisableCompression: true}}

// login logs loadUser in on the gatehouse at addr with POST /login and
// returns the session cookie's header line.
func login(ctx context.Context, addr, cookieName string) (string, error) {
	res, err := post(ctx, addr, "/login")
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusNoContent {
		b, _ := io.ReadAll(res.Body)
		return "", fmt.Errorf("POST /login: %d %s", res.StatusCode, b)
	}
	for _, c := range res.Cookies() {
		if c.Name == cookieName {
			return "Cookie: " + c.Name + "=" + c.Value, nil
		}
	}
	return "", fmt.Errorf("POST /login set no %s cookie", cookieName)
}

// bearer gets an access token for loadUser from the gatehouse at addr with
// POST /token and returns its Authorization header line.
func bearer(ctx context.Context, addr string) (string, error) {
	res, err := post(ctx, addr, "/token")
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		return "", fmt.Errorf("POST /token: %d %s", res.StatusCode, b)
	}
	var tok string
	if err := json.Unmarshal(b, &tok); err != nil {
		return "", fmt.Errorf("POST /token: %w", err)
	}
	return "Authorization: Bearer " + tok, nil
}

func post(ctx context.Context, addr, path string) (*http.Response, error) {
	creds := `{"username":"` + loadUser.Username + `","password":"` + loadPassword + `"}`
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+addr+path, strings.NewReader(creds))
	if err != nil {
		return nil, err
	}
	r.Header.Set("Content-Type", "application/json")
	return client.Do(r)
}

// fetch sends GET (or another method) path to addr with the header line
// hdr ("Name: value") and returns the status, the body and the header.
func fetch(ctx context.Context, method, addr, path, hdr string) (int, []byte, http.Header, error) {
	r, err := http.NewRequestWithContext(ctx, method, "http://"+addr+path, nil)
	if err != nil {
		return 0, nil, nil, err
	}
	if name, value, ok := strings.Cut(hdr, ": "); ok {
		r.Header.Set(name, value)
	}
	res, err := client.Do(r)
	if err != nil {
		return 0, nil, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res.StatusCode, b, res.Header, err
}

// gatehouseTarget serves gatehouse over store and returns its cookie (or,
// with o.hs256, bearer) GET /session with the answer it gave first as the
// expected one.
func (e *env) gatehouseTarget(ctx context.Context, store storage.Store, o gatehouseOptions) (*request, error) {
	g, addr, err := e.newGatehouse(store, o)
	if err != nil {
		return nil, err
	}
	if err := seed(ctx, store); err != nil {
		return nil, err
	}
	var cred string
	if o.hs256 {
		cred, err = bearer(ctx, addr)
	} else {
		cred, err = login(ctx, addr, g.CookieName())
	}
	if err != nil {
		return nil, err
	}
	status, body, _, err := fetch(ctx, http.MethodGet, addr, "/session", cred)
	if err != nil {
		return nil, err
	}
	if status != http.StatusOK {
		return nil, fmt.Errorf("GET /session: %d %s", status, body)
	}
	return newRequest(addr, "/session", []string{cred}, http.StatusOK, body), nil
}
