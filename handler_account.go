package gatehouse

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/user"
)

// serveAccount answers GET /account with the caller's account document.
func (g *Gatehouse) serveAccount(w http.ResponseWriter, r *http.Request, a *session.Auth) error {
	return writeJSON(w, http.StatusOK, NewAccountDocument(&a.User, g.now()))
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

// serveAccountUpdate answers PUT /account. Only name, email and
// phone change:
//
//   - username and company_key are required and must equal the stored
//     values; timezone, when given, must be −12..12 and equal the stored
//     zone's current offset (GET /account). Otherwise 400 naming the field.
//   - name, email and phone, when given as a string, must pass the account
//     service's limits (2..256, 5..256 and an address, 5..32) and replace
//     the stored value; JSON null clears the field; a field left out is
//     unchanged.
//   - the write is session.Manager.UpdateAccount's, optimistic: on a
//     version conflict the user is read again, the same changes are applied
//     to what is stored now, and the write retried, so a concurrent change
//     of other fields (or of the same fields, which the later write
//     overwrites) is never lost. After session.AccountUpdateAttempts
//     conflicts in a row (session.ErrConflict) the answer is 409 and nothing
//     of this request was written.
//   - a read_only user gets 403 (before the body is read, and again if the
//     user became read-only meanwhile: session.ErrReadOnly).
//
// The answer is the account document as stored; a successful change is
// audited by UpdateAccount, through the audit recorder (Config.Audit), as
// "account_update" with the names of the fields changed.
func (g *Gatehouse) serveAccountUpdate(w http.ResponseWriter, r *http.Request, a *session.Auth) error {
	ch, err := g.decodeAccountChange(r)
	if err != nil {
		return err
	}
	u, err := g.applyAccountChange(r, a, ch)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, NewAccountDocument(&u, g.now()))
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

// applyAccountChange writes ch over the stored user through
// session.Manager.UpdateAccount, which re-reads the user and applies ch
// again after a version conflict. It returns the user as stored (as read
// when ch changes nothing: then nothing was written).
func (g *Gatehouse) applyAccountChange(r *http.Request, a *session.Auth, ch *accountChange) (user.User, error) {
	u, err := g.sessions.UpdateAccount(r.Context(), a, func(u *user.User) error {
		if err := g.checkAccount(u, ch); err != nil {
			return err
		}
		for _, f := range ch.fields {
			*accountField(u, f.name) = f.value
		}
		return nil
	}, g.client(r))
	if err != nil {
		return user.User{}, accountUpdateError(err)
	}
	return u, nil
}

// accountUpdateError maps the errors of session.Manager.UpdateAccount; an
// *Error of checkAccount is returned as it is.
func accountUpdateError(err error) error {
	var he *Error
	var fe *user.FieldError
	switch {
	case errors.As(err, &he):
		return he
	case errors.Is(err, session.ErrUnauthenticated):
		return errNotAuthenticated()
	case errors.Is(err, session.ErrAPIKeyCaller):
		return &Error{Status: http.StatusForbidden, Message: "an API key cannot change the account; log in", Err: err, Reason: RefusedForbidden}
	case errors.Is(err, session.ErrReadOnly):
		return errorf(http.StatusForbidden, "read-only access: only GET, HEAD and OPTIONS are allowed")
	case errors.Is(err, session.ErrConflict):
		return &Error{Status: http.StatusConflict,
			Message: "the account was changed concurrently; nothing was written, retry", Err: err}
	case errors.As(err, &fe):
		return fieldError(fe, fe.Field)
	case errors.Is(err, session.ErrStore):
		return errUnavailable(err)
	}
	return errInternal(err)
}

// checkAccount checks the request against the user as (re-)read: the
// fields that cannot change must match. (UpdateAccount has checked that the
// session is still live for the user and that the user may write.)
func (g *Gatehouse) checkAccount(u *user.User, ch *accountChange) error {
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
