package gatehouse

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/user"
)

// accountUpdateAttempts bounds the re-reads of PUT /account after a version
// conflict before it answers 409.
const accountUpdateAttempts = 4

// serveAccount answers GET /account with the caller's account document
// (seed 004).
func (g *Gatehouse) serveAccount(w http.ResponseWriter, r *http.Request) error {
	a, err := g.caller(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, NewAccountDocument(&a.User, g.now()))
	return nil
}

// accountChange is a parsed PUT /account body: the checks of the fields
// that cannot change, and the changes of name, email and phone.
type accountChange struct {
	username, company string
	timezone          *int
	fields            []fieldChange
}

// fieldChange sets one optional field; value "" clears it (JSON null).
type fieldChange struct {
	name  string
	value string
}

// serveAccountUpdate answers PUT /account (seed 004). Only name, email and
// phone change:
//
//   - username and company_key are required and must equal the stored
//     values; timezone, when given, must be −12..12 and equal the stored
//     zone's current offset (GET /account). Otherwise 400 naming the field.
//   - name, email and phone, when given as a string, must pass the seed-004
//     limits (2..256, 5..256 and an address, 5..32) and replace the stored
//     value; JSON null clears the field; a field left out is unchanged.
//   - the write is optimistic (storage.UserStore.UpdateUser with the read
//     Version): on a conflict the user is read again, the same changes are
//     applied to what is stored now, and the write retried, so a concurrent
//     change of other fields (or of the same fields, which the later write
//     overwrites) is never lost. After a few conflicts in a row the answer is
//     409 and nothing of this request was written.
//   - a read_only user gets 403 (before the body is read).
//
// The answer is the account document as stored; a successful change is
// audited as "account_update" with the names of the fields changed.
func (g *Gatehouse) serveAccountUpdate(w http.ResponseWriter, r *http.Request) error {
	a, err := g.caller(r)
	if err != nil {
		return err
	}
	ch, err := g.decodeAccountChange(r)
	if err != nil {
		return err
	}
	u, changed, err := g.applyAccountChange(r.Context(), a, ch)
	if err != nil {
		return err
	}
	if len(changed) > 0 {
		g.auditAccountUpdate(r, &u, changed)
	}
	writeJSON(w, http.StatusOK, NewAccountDocument(&u, g.now()))
	return nil
}

// decodeAccountChange reads and checks the body of PUT /account. Fields
// are read from a JSON object by hand to tell null (clear) from absent
// (unchanged).
func (g *Gatehouse) decodeAccountChange(r *http.Request) (*accountChange, error) {
	var raw map[string]json.RawMessage
	if err := g.decodeJSON(r, &raw); err != nil {
		return nil, err
	}
	if raw == nil {
		return nil, errorf(http.StatusBadRequest, "body: must be a JSON object")
	}
	for k := range raw {
		switch k {
		case "username", "company_key", "timezone", "name", "email", "phone":
		default:
			return nil, errorf(http.StatusBadRequest, "%s: unknown field", k)
		}
	}
	ch := &accountChange{}
	var err error
	if ch.username, err = requiredString(raw, "username"); err != nil {
		return nil, err
	}
	if ch.company, err = requiredString(raw, "company_key"); err != nil {
		return nil, err
	}
	if v, ok := raw["timezone"]; ok && !isNull(v) {
		var tz int
		if err := json.Unmarshal(v, &tz); err != nil {
			return nil, errorf(http.StatusBadRequest, "timezone: must be an integer (type)")
		}
		if tz < -12 || tz > 12 {
			return nil, errorf(http.StatusBadRequest, "timezone: must be -12..12 (range)")
		}
		ch.timezone = &tz
	}
	validators := []struct {
		name  string
		check func(string) *user.FieldError
	}{{"name", user.ValidateName}, {"email", user.ValidateEmail}, {"phone", user.ValidatePhone}}
	for _, f := range validators {
		v, ok := raw[f.name]
		if !ok {
			continue
		}
		if isNull(v) {
			ch.fields = append(ch.fields, fieldChange{name: f.name})
			continue
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return nil, errorf(http.StatusBadRequest, "%s: must be a string or null (type)", f.name)
		}
		if fe := f.check(s); fe != nil {
			return nil, fieldError(fe, f.name)
		}
		ch.fields = append(ch.fields, fieldChange{name: f.name, value: s})
	}
	return ch, nil
}

func isNull(v json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(v), []byte("null")) }

func requiredString(raw map[string]json.RawMessage, name string) (string, error) {
	v, ok := raw[name]
	if !ok || isNull(v) {
		return "", errorf(http.StatusBadRequest, "%s: is required (required)", name)
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		return "", errorf(http.StatusBadRequest, "%s: must be a string (type)", name)
	}
	return s, nil
}

// applyAccountChange writes ch over the stored user, re-reading and
// re-applying after a version conflict. It returns the user as stored and
// the names of the fields that changed (none: nothing was written).
func (g *Gatehouse) applyAccountChange(ctx context.Context, a *session.Auth, ch *accountChange) (user.User, []string, error) {
	u := a.User.Clone()
	for attempt := 1; ; attempt++ {
		if err := g.checkAccount(a, &u, ch); err != nil {
			return user.User{}, nil, err
		}
		var changed []string
		for _, f := range ch.fields {
			p := accountField(&u, f.name)
			if *p != f.value {
				*p = f.value
				changed = append(changed, f.name)
			}
		}
		if len(changed) == 0 {
			return u, nil, nil
		}
		stored, err := g.store.Users().UpdateUser(ctx, u)
		if err == nil {
			return stored, changed, nil
		}
		switch {
		case errors.Is(err, storage.ErrNotFound):
			return user.User{}, nil, errNotAuthenticated
		case !errors.Is(err, storage.ErrConflict):
			return user.User{}, nil, storeUnavailable(err)
		case attempt == accountUpdateAttempts:
			return user.User{}, nil, &Error{Status: http.StatusConflict,
				Message: "the account was changed concurrently; nothing was written, retry", Err: err}
		}
		if u, err = g.store.Users().GetUser(ctx, a.User.ID); err != nil {
			if errors.Is(err, storage.ErrNotFound) {
				return user.User{}, nil, errNotAuthenticated
			}
			return user.User{}, nil, storeUnavailable(err)
		}
	}
}

// checkAccount checks the request against the user as (re-)read: the
// session must still be live for it and the unchangeable fields must match.
func (g *Gatehouse) checkAccount(a *session.Auth, u *user.User, ch *accountChange) error {
	if u.Blocked || u.SessionEpoch != a.Session.Epoch {
		return errNotAuthenticated
	}
	if u.EffectiveAccess() == user.AccessReadOnly {
		return errorf(http.StatusForbidden, "read-only access: only GET, HEAD and OPTIONS are allowed")
	}
	if ch.username != u.Username {
		return errorf(http.StatusBadRequest, "username: must be the account's username; it cannot be changed (immutable)")
	}
	if ch.company != u.Company {
		return errorf(http.StatusBadRequest, "company_key: must be the account's company_key; it cannot be changed (immutable)")
	}
	if ch.timezone != nil {
		if cur := TimezoneOffset(u.Timezone, g.now()); *ch.timezone != cur {
			return errorf(http.StatusBadRequest, "timezone: must be the account's timezone (%d); it cannot be changed (immutable)", cur)
		}
	}
	return nil
}

func accountField(u *user.User, name string) *string {
	switch name {
	case "name":
		return &u.Name
	case "email":
		return &u.Email
	case "phone":
		return &u.Phone
	}
	panic("gatehouse: no account field " + name)
}

// auditAccountUpdate records a successful account update with the names
// (never the values) of the fields changed. Like every audit write it is
// best effort: a failure is logged.
func (g *Gatehouse) auditAccountUpdate(r *http.Request, u *user.User, changed []string) {
	ctx := r.Context()
	rec := storage.AuditRecord{
		TraceCode:   infoFrom(ctx).trace,
		Time:        g.now().UTC(),
		Username:    u.Username,
		Company:     u.Company,
		Server:      g.service.Server,
		Service:     g.service.Name,
		OperationID: "account_update",
		MethodGroup: session.MethodGroup,
		Outcome:     "ok",
		ClientIP:    g.clientIP(r),
		Detail:      "changed: " + strings.Join(changed, ","),
	}
	if err := g.store.Audit().AppendAudit(ctx, rec); err != nil {
		g.log.WarnContext(ctx, "gatehouse: audit write failed", "operation", rec.OperationID, "err", fmt.Sprint(err))
	}
}
