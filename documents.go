package gatehouse

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/user"
)

// DefaultLocale is the locale reported for a user without one when
// Config.DefaultLocale is empty.
const DefaultLocale = "en"

// SessionSection contributes one top-level section of the session document
// (the CRM's alerts, events, quick_actions, domain, or any other key the
// host's front end reads). Section is called once per GET /session (and per
// Gatehouse.SessionDocument call) with the authenticated caller; it may be
// called concurrently for different requests. Its value is encoded with
// encoding/json. An error fails the whole request with 500 and a trace
// code: the document is never served without a section.
type SessionSection interface {
	Section(ctx context.Context, a *session.Auth) (any, error)
}

// SessionSectionFunc adapts a function to a [SessionSection].
type SessionSectionFunc func(ctx context.Context, a *session.Auth) (any, error)

// Section calls f.
func (f SessionSectionFunc) Section(ctx context.Context, a *session.Auth) (any, error) {
	return f(ctx, a)
}

// The keys of the session document that gatehouse itself fills; a
// SessionSection may not use them.
const (
	keySessionInfo       = "sessioninfo"
	keySessionRoles      = "session_roles"
	keySessionRoleParams = "session_role_params"
	keySessionParameters = "session_parameters"
)

// SessionDocument is the CRM session document, served by GET /session. It
// encodes as one JSON object: the four keys gatehouse fills, then every
// entry of Sections at the top level beside them.
type SessionDocument struct {
	// Info is "sessioninfo".
	Info SessionInfo
	// Roles is "session_roles": the codes of the roles the user holds and,
	// transitively, the roles those include, each once, in precedence order
	// (permissions.Set.Roles).
	Roles []RoleRef
	// RoleParams is "session_role_params": the parameters the roles set,
	// each code once, the first role in Roles winning (permissions.Set.Params).
	RoleParams []permissions.Param
	// Parameters is "session_parameters": every system parameter
	// (storage.ParameterStore), ordered by code, with its value overridden
	// by the role parameter of the same code and then by the user's own
	// parameter (user.User.Parameters). Role or user parameters whose code
	// names no system parameter are not listed here.
	Parameters []storage.Parameter
	// Sections are the sections the host's SessionSections contributed, by
	// name.
	Sections map[string]any
}

// RoleRef is an entry of session_roles: {"code": ...}.
type RoleRef struct {
	Code string `json:"code"`
}

// SessionInfo is the "sessioninfo" object of the session document. It
// encodes as a flat object: the user's attributes (such as dep_id), then the
// fixed keys id (the user's ID), login (username), email ("" when unset),
// title (display name, "" when unset), lang (locale, Config.DefaultLocale
// when unset) and bp_process_roles_list (the allowed specific permissions
// of the deployment's catalogue, permissions.Set.Specifics: an admin or a
// "*" grant gets every name any role grants or the data file declares,
// never "*" itself). A fixed
// key always wins over an attribute of the same name, so an attribute can
// never pass itself off as the user's id or login.
type SessionInfo struct {
	ID         string
	Login      string
	Email      string
	Title      string
	Lang       string
	Specifics  []string
	Attributes map[string]string
}

// MarshalJSON encodes the flat sessioninfo object.
func (s SessionInfo) MarshalJSON() ([]byte, error) {
	m := make(map[string]any, len(s.Attributes)+6)
	for k, v := range s.Attributes {
		m[k] = v
	}
	specifics := s.Specifics
	if specifics == nil {
		specifics = []string{}
	}
	m["id"], m["login"], m["email"], m["title"], m["lang"] = s.ID, s.Login, s.Email, s.Title, s.Lang
	m["bp_process_roles_list"] = specifics
	return json.Marshal(m)
}

// MarshalJSON encodes the document as one object with the sections at the
// top level. A section named like a fixed key (which New refuses) is
// dropped rather than allowed to replace it.
func (d SessionDocument) MarshalJSON() ([]byte, error) {
	m := make(map[string]any, len(d.Sections)+4)
	for k, v := range d.Sections {
		m[k] = v
	}
	m[keySessionInfo] = d.Info
	m[keySessionRoles] = nonNil(d.Roles)
	m[keySessionRoleParams] = nonNil(d.RoleParams)
	m[keySessionParameters] = nonNil(d.Parameters)
	return json.Marshal(m)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// SessionDocument builds the CRM session document of a: what GET
// /session serves, for hosts that serve it at a path or in a shape of
// their own. It reads the system parameters from the store, under the
// version that a's authentication read (see session.Manager.Parameters),
// and calls every SessionSection, in the order of their names. Any error (a store failure,
// a section's error) is returned and no document: callers must not serve a
// partial one.
func (g *Gatehouse) SessionDocument(ctx context.Context, a *session.Auth) (*SessionDocument, error) {
	if a == nil || a.Set == nil {
		return nil, fmt.Errorf("gatehouse: session document: %w", session.ErrUnauthenticated)
	}
	u := &a.User
	doc := &SessionDocument{
		Info: SessionInfo{
			ID: u.ID, Login: u.Username, Email: u.Email, Title: u.Name,
			Lang:       g.locale(u),
			Specifics:  a.Set.Specifics(g.declaredSpecifics()...),
			Attributes: maps.Clone(u.Attributes),
		},
		RoleParams: a.Set.Params(),
	}
	for _, code := range a.Set.Roles() {
		doc.Roles = append(doc.Roles, RoleRef{Code: code})
	}
	params, err := g.sessions.Parameters(ctx, a)
	if err != nil {
		return nil, fmt.Errorf("gatehouse: session document: parameters: %w", err)
	}
	roleValue := make(map[string]string, len(doc.RoleParams))
	for _, p := range doc.RoleParams {
		roleValue[p.Code] = p.Value
	}
	for i := range params {
		if v, ok := roleValue[params[i].Code]; ok {
			params[i].Value = v
		}
		if v, ok := u.Parameters[params[i].Code]; ok {
			params[i].Value = v
		}
	}
	doc.Parameters = params
	if len(g.sectionNames) > 0 {
		doc.Sections = make(map[string]any, len(g.sectionNames))
	}
	for _, name := range g.sectionNames {
		v, err := g.sections[name].Section(ctx, a)
		if err != nil {
			return nil, &sectionError{name: name, err: err}
		}
		doc.Sections[name] = v
	}
	return doc, nil
}

// sectionError is a SessionSection's failure, named.
type sectionError struct {
	name string
	err  error
}

func (e *sectionError) Error() string {
	return fmt.Sprintf("gatehouse: session document: section %q: %v", e.name, e.err)
}

func (e *sectionError) Unwrap() error { return e.err }

func (g *Gatehouse) locale(u *user.User) string {
	if u.Locale == "" {
		return g.defaultLocale
	}
	return u.Locale
}

// UserDocument is the document of GET /user: the common ground of the
// telephony and EDI "current user" endpoints, which a host reshapes into
// either (see examples/seeds). Optional fields the user has not set are null;
// emails is the e-mail address as a list ([] without one), access is "full"
// or "read_only", timezone the IANA name ("UTC" when unset), roles the codes
// the user holds (not the included ones) and attributes the application
// fields. It never carries the password hash or the session epoch.
type UserDocument struct {
	ID         string            `json:"id"`
	Login      string            `json:"login"`
	Name       *string           `json:"name"`
	Email      *string           `json:"email"`
	Emails     []string          `json:"emails"`
	Phone      *string           `json:"phone"`
	CompanyKey string            `json:"company_key"`
	Locale     *string           `json:"locale"`
	Timezone   string            `json:"timezone"`
	Access     user.Access       `json:"access"`
	Admin      bool              `json:"admin"`
	Blocked    bool              `json:"blocked"`
	Roles      []string          `json:"roles"`
	Attributes map[string]string `json:"attributes"`
}

// NewUserDocument returns the GET /user document of u.
func NewUserDocument(u *user.User) UserDocument {
	d := UserDocument{
		ID: u.ID, Login: u.Username,
		Name: optional(u.Name), Email: optional(u.Email), Phone: optional(u.Phone),
		CompanyKey: u.Company, Locale: optional(u.Locale), Timezone: u.Timezone,
		Access: u.EffectiveAccess(), Admin: u.Admin, Blocked: u.Blocked,
		Emails: []string{}, Roles: slices.Clone(u.Roles), Attributes: maps.Clone(u.Attributes),
	}
	if u.Email != "" {
		d.Emails = []string{u.Email}
	}
	if d.Timezone == "" {
		d.Timezone = "UTC"
	}
	if d.Roles == nil {
		d.Roles = []string{}
	}
	if d.Attributes == nil {
		d.Attributes = map[string]string{}
	}
	return d
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// UserInfoDocument is the document of GET /userInfo, as in Jmix.
type UserInfoDocument struct {
	Username string `json:"username"`
	// Locale is the user's locale, or Config.DefaultLocale when unset.
	Locale string `json:"locale"`
}

// UserInfo returns the GET /userInfo document of u.
func (g *Gatehouse) UserInfo(u *user.User) UserInfoDocument {
	return UserInfoDocument{Username: u.Username, Locale: g.locale(u)}
}

// PermissionsDocument returns the GET /permissions document of a (Jmix's,
// plus specifics) over the application schema kept in the store. Its
// specifics are the deployment's catalogue (permissions.Set.Catalogue):
// every name any role grants and every name the applied data file
// declares, each with the caller's value; "*" is never a target.
func (g *Gatehouse) PermissionsDocument(ctx context.Context, a *session.Auth) (permissions.Document, error) {
	if a == nil || a.Set == nil {
		return permissions.Document{}, fmt.Errorf("gatehouse: permissions document: %w", session.ErrUnauthenticated)
	}
	schema, err := g.sessions.Schema(ctx, a)
	if err != nil {
		return permissions.Document{}, fmt.Errorf("gatehouse: permissions document: schema: %w", err)
	}
	return a.Set.Document(permissions.Schema(schema), g.declaredSpecifics()...), nil
}

// declaredSpecifics returns the specific permissions the deployment
// declares beside those its roles grant: Config.Specifics and the data
// file's "specifics", as last applied by ApplyDataFile. The caller must not
// change the slice.
func (g *Gatehouse) declaredSpecifics() []string {
	if p := g.specifics.Load(); p != nil {
		return *p
	}
	return nil
}

// setDeclaredSpecifics replaces the data file's declared specific
// permissions; Config.Specifics stay declared.
func (g *Gatehouse) setDeclaredSpecifics(names []string) {
	all := slices.Concat(g.configSpecifics, names)
	slices.Sort(all)
	all = slices.Compact(all)
	g.specifics.Store(&all)
}

// AccountDocument is the account service's document of GET and PUT /account.
// Name, Email and Phone are null when unset; Timezone is the whole-hour
// UTC offset of the user's IANA zone at the time of the request (see
// [TimezoneOffset]).
type AccountDocument struct {
	Username   string  `json:"username"`
	Name       *string `json:"name"`
	Email      *string `json:"email"`
	Phone      *string `json:"phone"`
	CompanyKey string  `json:"company_key"`
	Timezone   int     `json:"timezone"`
}

// NewAccountDocument returns the account document of u at time now.
func NewAccountDocument(u *user.User, now time.Time) AccountDocument {
	return AccountDocument{
		Username: u.Username, Name: optional(u.Name), Email: optional(u.Email), Phone: optional(u.Phone),
		CompanyKey: u.Company, Timezone: TimezoneOffset(u.Timezone, now),
	}
}

// TimezoneOffset returns the account service's "timezone" of an IANA zone at
// time t: the zone's UTC offset in whole hours, truncated toward zero
// (Asia/Kolkata, +5:30, is 5) and clamped to −12..12 (Pacific/Kiritimati,
// +14, is 12). It follows daylight saving time: Europe/Berlin is 1 in winter
// and 2 in summer. An empty or unknown zone is 0 (UTC).
func TimezoneOffset(zone string, t time.Time) int {
	if zone == "" || zone == "Local" {
		return 0
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return 0
	}
	_, off := t.In(loc).Zone()
	return min(max(off/3600, -12), 12)
}
