package session

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/user"
)

// AccountUpdateAttempts is how many writes [Manager.UpdateAccount] tries
// before it gives up with ErrConflict: the first one and a retry after each
// of the next version conflicts.
const AccountUpdateAttempts = 4

// UpdateAccount changes the account of a's user and returns the user as
// stored. It is the self-service update behind PUT /account; which fields
// a caller may change and how a request names them is the host's business,
// decided in change.
//
// A caller authenticated by an API key is refused with ErrAPIKeyCaller: a
// key that could change the e-mail address could take the account over by
// a password reset.
//
// The write is optimistic (storage.UserStore.UpdateUser with the Version
// read): change is applied to a copy of the user as read from the store
// (never a.User, which an authentication may have narrowed) and the result
// written; on a
// version conflict the user is read again and change applied afresh to what
// is stored now, so a concurrent change of other fields is never lost (and
// one of the same fields is overwritten by the later write). Before every
// application of change the user as (re-)read is checked:
//
//   - a blocked user, a user whose SessionEpoch is no longer the session's,
//     and a user that is gone are ErrUnauthenticated;
//   - a read-only user (user.AccessReadOnly) is ErrReadOnly.
//
// An error of change is returned as it is, and nothing is written. change
// must not set the fields that only the store or the password and
// revocation methods change (ID, Version, CreatedAt, UpdatedAt,
// PasswordHash, PasswordChangedAt, SessionEpoch): that is an error wrapping
// user.ErrInvalid. The fields change did set are validated with the rules
// of user.User.Validate (an error wrapping user.ErrInvalid, a
// user.ValidationErrors of those fields only); a field it left alone is not
// held against it, so a stored value that predates a rule does not block
// a change of another field.
//
// A change that sets nothing writes nothing, audits nothing and returns the
// user as read. After AccountUpdateAttempts conflicts in a row the error
// wraps ErrConflict and nothing of this update was written. Any other
// storage error wraps ErrStore.
//
// A successful change is audited as "account_update", outcome "ok", with
// the names (never the values) of the fields changed in its Detail:
// "changed: name,phone". The names are the JSON names of user.User's
// fields ("name", "email", "phone", "company_key", ...), in the order of
// its fields.
func (m *Manager) UpdateAccount(ctx context.Context, a *Auth, change func(*user.User) error, c Client) (user.User, error) {
	if a.APIKey != nil {
		// A key may be narrowed and short-lived: changing the e-mail
		// address would let it take over the account by a password
		// reset.
		return user.User{}, ErrAPIKeyCaller
	}
	// Start from the user as stored, never from a.User: an
	// authentication may have narrowed it (an API key's roles), and
	// writing that back would strip the user's roles and admin flag.
	u, err := m.store.Users().GetUser(ctx, a.User.ID)
	if err != nil {
		return user.User{}, denyOrFail("read user", err)
	}
	for attempt := 1; ; attempt++ {
		if u.Blocked || u.SessionEpoch != a.Session.Epoch {
			return user.User{}, fmt.Errorf("%w: session ended", ErrUnauthenticated)
		}
		if u.EffectiveAccess() == user.AccessReadOnly {
			return user.User{}, ErrReadOnly
		}
		nu := u.Clone()
		if err := change(&nu); err != nil {
			return user.User{}, err
		}
		changed, err := accountChanges(&u, &nu)
		if err != nil {
			return user.User{}, err
		}
		if len(changed) == 0 {
			return u, nil
		}
		if err := nu.ValidateFields(changed); err != nil {
			return user.User{}, err
		}
		stored, err := m.store.Users().UpdateUser(ctx, nu)
		if err == nil {
			m.audit(ctx, m.auditAction("account_update", stored.Username, stored.Company, c),
				"ok", "changed: "+strings.Join(changed, ","))
			return stored, nil
		}
		switch {
		case errors.Is(err, storage.ErrNotFound):
			return user.User{}, fmt.Errorf("%w: user not found", ErrUnauthenticated)
		case !errors.Is(err, storage.ErrConflict):
			return user.User{}, storeErr("update user", err)
		case attempt == AccountUpdateAttempts:
			return user.User{}, fmt.Errorf("%w: update account: %d writes in a row met a concurrent change: %w",
				ErrConflict, attempt, err)
		}
		if u, err = m.store.Users().GetUser(ctx, a.User.ID); err != nil {
			return user.User{}, denyOrFail("read user", err)
		}
	}
}

// accountChanges returns the names of the fields in which after differs from
// before (user.Changed), or an error when after changes a field only the
// store or a dedicated operation sets.
func accountChanges(before, after *user.User) ([]string, error) {
	switch {
	case user.ChangesStoreFields(before, after):
		return nil, fmt.Errorf("%w: update account: the change set a field only the store sets (id, version, created_at, updated_at)", user.ErrInvalid)
	case user.ChangesCredentials(before, after):
		return nil, fmt.Errorf("%w: update account: the change set the password or the session epoch (ChangePassword and RevokeAll do)", user.ErrInvalid)
	}
	return user.Changed(before, after), nil
}
