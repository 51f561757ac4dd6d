package main

import (
	"context"
	_ "embed"
	"encoding/json"

	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gatehouse-go/gatehouse"
	"github.com/gatehouse-go/gatehouse/datafile"
	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/user"
)

// data.json is the gatehouse data file: service, schema, the CRM's system
// parameters and the roles.
//
//go:embed data.json
var dataFile []byte

// crm.json is the CRM host's own content of the session document: events
// and quick actions.
//
//go:embed crm.json
var crmFile []byte

// edi.json is the EDI host's own data: accounts (companies) and their
// identifiers.
//
//go:embed edi.json
var ediFile []byte

// demoUser is a user of the demo with the password it logs in with.
type demoUser struct {
	user.User
	Password string
}

// demoUsers returns one user per API, with the ids and attributes their
// documents show.
func demoUsers() []demoUser {
	return []demoUser{
		{Password: "admin-demo-password", User: user.User{
			// The CRM session document and Jmix.
			ID: "1", Username: "admin", Name: "Administrator", Email: "admin@example.com",
			Company: "crm_company", Locale: "en", Timezone: "Asia/Almaty", Roles: []string{"admin"},
			Attributes: map[string]string{
				"dep_id": "104", "age": "36", "experience": "3", "rolesidlist": "{1,2}", "avatar_url": "&thumb=120-0",
			},
		}},
		{Password: "client-demo-password", User: user.User{
			// The telephony API: a user of kind "client" with client id 100.
			ID: "client-100", Username: "client_login", Company: "telephony", Timezone: "Europe/Moscow",
			Roles: []string{"client"}, Attributes: map[string]string{"user_client_id": "100"},
		}},
		{Password: "edi-demo-password", User: user.User{
			// The EDI API.
			ID: "5020571", Username: "uaEDSsender", Email: "uaEDSsender@example.com", Company: "Test_EDS1",
			Roles:      []string{"edi_user"},
			Attributes: map[string]string{"allowFTP": "1", "autoSending": "true", "statusFile": "1"},
		}},
		{Password: "password", User: user.User{
			// The account service.
			ID: "account-1", Username: "my_username_for_login", Name: "my_visible_name",
			Email: "admin@company.com", Phone: "+71112223333", Company: "my_company", Timezone: "Europe/Moscow",
		}},
	}
}

// options are what main and the tests vary.
type options struct {
	hasher user.Hasher
	now    func() time.Time
}

// newServer returns the mux with every API's paths, and the Gatehouse.
func newServer(ctx context.Context, o options) (http.Handler, *gatehouse.Gatehouse, error) {
	data, err := datafile.Parse(dataFile)
	if err != nil {
		return nil, nil, err
	}
	var crm struct {
		Events       []map[string]string `json:"events"`
		QuickActions []map[string]string `json:"quick_actions"`
	}
	if err := json.Unmarshal(crmFile, &crm); err != nil {
		return nil, nil, fmt.Errorf("crm.json: %w", err)
	}
	var edi ediData
	if err := json.Unmarshal(ediFile, &edi); err != nil {
		return nil, nil, fmt.Errorf("edi.json: %w", err)
	}
	if o.now == nil {
		o.now = time.Now
	}
	static := func(v any) gatehouse.SessionSection {
		return gatehouse.SessionSectionFunc(func(context.Context, *session.Auth) (any, error) { return v, nil })
	}
	g, err := gatehouse.Open(ctx, gatehouse.Config{
		Now:            o.now,
		InsecureCookie: true, // the demo speaks plain HTTP on localhost
		Session:        session.Config{Hasher: o.hasher},
		// The CRM session document's application sections. A real CRM would read its
		// events per user from its own tables here; an error would fail
		// GET /session with 500 rather than serve half a document.
		SessionSections: map[string]gatehouse.SessionSection{
			"alerts":        static([]any{}),
			"domain":        static("localhost"),
			"errNum":        static(0),
			"errText0":      static(""),
			"events":        static(crm.Events),
			"quick_actions": static(crm.QuickActions),
		},
	}, data)
	if err != nil {
		return nil, nil, err
	}
	hasher := g.Sessions().Hasher()
	for _, du := range demoUsers() {
		u := du.User
		if u.PasswordHash, err = hasher.Hash(du.Password); err != nil {
			return nil, nil, err
		}
		if _, err := g.Store().Users().CreateUser(ctx, u); err != nil {
			return nil, nil, fmt.Errorf("user %s: %w", u.Username, err)
		}
	}

	api := g.Handler()
	mux := http.NewServeMux()
	// The CRM session document at the CRM's path, Bearer token. The
	// host serves it itself from the exported builder.
	mux.Handle("GET /restapi/services/run/session", g.Authenticate(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, _ := session.FromContext(r.Context())
		doc, err := g.SessionDocument(r.Context(), a)
		if err != nil {
			http.Error(w, `{"errNum":1,"errText0":"internal error"}`, http.StatusInternalServerError)
			return
		}
		writeJSON(w, doc)
	})))
	// The telephony platform's /user/, reshaped from the user.
	mux.Handle("GET /user/{$}", g.Authenticate(http.HandlerFunc(serveTelephonyUser)))
	// The EDI platform's user, authenticated by the SID cookie
	// that POST /login sets.
	mux.Handle("GET /api/oas/user", g.Authenticate(edi.handler()))
	// Jmix's /rest/userInfo and /rest/permissions, served by
	// gatehouse as they are, under a prefix.
	mux.Handle("/rest/", http.StripPrefix("/rest", api))
	// The account service at the root: /token, /token/check,
	// /password, /account, /health, /version ...
	mux.Handle("/", api)
	return mux, g, nil
}

// serveTelephonyUser renders the telephony user: the user's kind is the one of its
// id attributes that is set (user_client_id, user_dealer_id,
// user_extension_id, user_extension_group_id), as an integer; the others
// are null.
func serveTelephonyUser(w http.ResponseWriter, r *http.Request) {
	a, _ := session.FromContext(r.Context())
	u := &a.User
	doc := map[string]any{
		"login":    u.Username,
		"admin":    u.Admin,
		"access":   u.EffectiveAccess(),
		"timezone": u.Timezone,
	}
	for _, kind := range []string{"user_client_id", "user_dealer_id", "user_extension_id", "user_extension_group_id"} {
		doc[kind] = intAttribute(u, kind)
	}
	writeJSON(w, doc)
}

// intAttribute returns the attribute as an integer, or nil (JSON null)
// when it is unset or not a number.
func intAttribute(u *user.User, name string) any {
	n, err := strconv.ParseInt(u.Attributes[name], 10, 64)
	if err != nil {
		return nil
	}
	return n
}

// ediData is the EDI host's own data, by company key.
type ediData struct {
	Accounts map[string]struct {
		Account        map[string]any   `json:"account"`
		Identificators []map[string]any `json:"identificators"`
	} `json:"accounts"`
}

// handler renders the EDI user from the user and the host's account data.
func (d ediData) handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, _ := session.FromContext(r.Context())
		u := &a.User
		acc, ok := d.Accounts[u.Company]
		if !ok {
			http.Error(w, `{"message":"no account"}`, http.StatusNotFound)
			return
		}
		id, _ := strconv.ParseInt(u.ID, 10, 64)
		accountID, _ := acc.Account["id"].(float64)
		emails := []string{}
		if u.Email != "" {
			emails = append(emails, u.Email)
		}
		writeJSON(w, map[string]any{
			"id":             id,
			"accountId":      int64(accountID),
			"login":          u.Username,
			"stringEmails":   u.Email,
			"emails":         emails,
			"blocked":        boolInt(u.Blocked),
			"isAdmin":        u.Admin,
			"allowFTP":       intAttribute(u, "allowFTP"),
			"autoSending":    u.Attributes["autoSending"] == "true",
			"statusFile":     intAttribute(u, "statusFile"),
			"account":        acc.Account,
			"identificators": acc.Identificators,
		})
	})
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func writeJSON(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, `{"message":"internal error"}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(append(b, '\n'))
}
