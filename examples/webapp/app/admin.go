package app

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/gatehouse-go/gatehouse/manage"
	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/user"
)

// actor is the caller of r as package manage's rules see it.
func (a *App) actor(r *http.Request, auth *session.Auth) manage.Actor {
	return manage.Caller(auth, a.g.Client(r))
}

// adminView is the data of the admin page.
type adminView struct {
	// Me is the caller's username: its own row has no forms that the rules
	// refuse anyway (block, roles, password reset).
	Me    string
	Users []user.User
	Roles []permissions.Role
	// Form are the values of a refused create form, shown again (never
	// the password).
	Form newUserForm
}

// newUserForm is the create form's values.
type newUserForm struct {
	Username, Name, Email string
	Roles                 []string
}

// adminDone are the messages of a successful change by done code; the
// redirect names the user, which the page shows only if it lists that user.
var adminDone = map[string]string{
	"created":  "User %s created.",
	"password": "Password of %s reset: every session of %s was logged out.",
	"blocked":  "User %s blocked: every session of %s was logged out.",
	"unblock":  "User %s unblocked.",
	"roles":    "Roles of %s saved.",
}

// admin serves GET /admin (behind RequireSpecific(users_manage)).
func (a *App) admin(w http.ResponseWriter, r *http.Request) {
	v := newView(r, "Users")
	q := r.URL.Query()
	a.renderAdmin(w, r, http.StatusOK, v, newUserForm{}, q.Get("done"), q.Get("user"))
}

// renderAdmin renders the admin page with v's flash, or the message of done
// about the listed user username.
func (a *App) renderAdmin(w http.ResponseWriter, r *http.Request, status int, v view, form newUserForm, done, username string) {
	auth, ok := session.FromContext(r.Context())
	if !ok {
		a.fail500(w, r, errNoAuth)
		return
	}
	m, actor := a.g.Manage(), a.actor(r, auth)
	page, err := m.ListUsers(r.Context(), actor, manage.UserQuery{Limit: manage.MaxLimit})
	if err != nil {
		a.manageFailed(w, r, err)
		return
	}
	roles, err := m.Roles(r.Context(), actor)
	if err != nil {
		a.manageFailed(w, r, err)
		return
	}
	if msg, ok := adminDone[done]; ok && v.Flash == "" {
		for _, u := range page.Users {
			if u.Username == username {
				v.Flash = strings.ReplaceAll(msg, "%s", u.Username)
				break
			}
		}
	}
	v.Page = adminView{Me: auth.User.Username, Users: page.Users, Roles: roles, Form: form}
	a.render(w, r, status, "admin", v)
}

// adminFailed renders the admin page with a refusal in #flash.
func (a *App) adminFailed(w http.ResponseWriter, r *http.Request, f *failure, form newUserForm) {
	v := newView(r, "Users")
	v.Flash, v.FlashError = f.message, true
	a.renderAdmin(w, r, f.status, v, form, "", "")
}

// adminDoneRedirect sends the browser back to the admin page after a change.
func adminDoneRedirect(w http.ResponseWriter, r *http.Request, done, username string) {
	q := url.Values{"done": {done}, "user": {username}}
	http.Redirect(w, r, "/admin?"+q.Encode(), http.StatusSeeOther)
}

// manageError words an error of package manage: the field and rule of an
// invalid input (400), a rule of who may do what (403), a missing user (404),
// a taken username or a concurrent change (409); anything else is the
// store failing (503). conflict is the message of a 409.
func manageError(err error, conflict string) *failure {
	var forbidden *manage.ForbiddenError
	switch {
	case errors.Is(err, manage.ErrInvalid):
		if msg, ok := fieldMessage(err, nil); ok {
			return fail(http.StatusBadRequest, "%s Nothing was changed.", msg)
		}
		return fail(http.StatusBadRequest, "That is not valid. Nothing was changed.")
	case errors.As(err, &forbidden):
		return fail(http.StatusForbidden, "Refused: %s. Nothing was changed.", strings.TrimSuffix(forbidden.Message, "."))
	case errors.Is(err, manage.ErrNotFound):
		return fail(http.StatusNotFound, "There is no such user. Nothing was changed.")
	case errors.Is(err, manage.ErrConflict):
		return fail(http.StatusConflict, "%s", conflict)
	}
	return fail(http.StatusServiceUnavailable, "The change could not be made right now. Nothing was changed; try again in a moment.")
}

// manageFailed answers an error of package manage while showing a page.
func (a *App) manageFailed(w http.ResponseWriter, r *http.Request, err error) {
	f := manageError(err, "Something changed at the same time; try again.")
	if f.status >= 500 {
		a.log.ErrorContext(r.Context(), "webapp: manage failed", "path", r.URL.Path, "err", err)
	}
	a.refuse(w, r, f.status, f.message)
}

// createUser serves POST /admin/users: username, password, name, e-mail
// address and roles (checkboxes). The user is created in the caller's
// company; package manage validates every field and refuses roles the caller
// does not hold.
func (a *App) createUser(w http.ResponseWriter, r *http.Request) {
	auth, ok := session.FromContext(r.Context())
	if !ok {
		a.fail500(w, r, errNoAuth)
		return
	}
	form, f := readForm(w, r, "username", "password", "name", "email", "roles[]")
	if f != nil {
		a.adminFailed(w, r, f, newUserForm{})
		return
	}
	nu := manage.NewUser{
		Username: strings.TrimSpace(form.Get("username")),
		Password: form.Get("password"),
		Name:     strings.TrimSpace(form.Get("name")),
		Email:    strings.TrimSpace(form.Get("email")),
		Roles:    form["roles"],
	}
	again := newUserForm{Username: nu.Username, Name: nu.Name, Email: nu.Email, Roles: nu.Roles}
	switch {
	case nu.Username == "":
		a.adminFailed(w, r, fail(http.StatusBadRequest, "Enter a username."), again)
		return
	case nu.Password == "":
		a.adminFailed(w, r, fail(http.StatusBadRequest, "Enter a password for the new user."), again)
		return
	}
	if _, err := a.g.Manage().CreateUser(r.Context(), a.actor(r, auth), nu); err != nil {
		a.adminFailed(w, r, manageError(err, "The username "+nu.Username+" is taken. Nothing was changed."), again)
		return
	}
	adminDoneRedirect(w, r, "created", nu.Username)
}

// target finds the user the path names, in the caller's company.
func (a *App) target(r *http.Request, auth *session.Auth) (user.User, *failure) {
	u, err := a.g.Manage().UserByUsername(r.Context(), a.actor(r, auth), r.PathValue("username"))
	if err != nil {
		return user.User{}, manageError(err, "")
	}
	return u, nil
}

// resetPassword serves POST /admin/users/{username}/password: an
// administrator's reset, which ends every session of the user.
func (a *App) resetPassword(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, "password", []string{"password"}, func(r *http.Request, actor manage.Actor, u user.User, form url.Values) error {
		pw := form.Get("password")
		if pw == "" {
			return fail(http.StatusBadRequest, "Enter the new password.")
		}
		return a.g.Manage().SetPassword(r.Context(), actor, u.ID, pw)
	})
}

// blockUser serves POST /admin/users/{username}/block.
func (a *App) blockUser(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, "blocked", nil, func(r *http.Request, actor manage.Actor, u user.User, _ url.Values) error {
		_, err := a.g.Manage().Block(r.Context(), actor, u.ID)
		return err
	})
}

// unblockUser serves POST /admin/users/{username}/unblock.
func (a *App) unblockUser(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, "unblock", nil, func(r *http.Request, actor manage.Actor, u user.User, _ url.Values) error {
		_, err := a.g.Manage().Unblock(r.Context(), actor, u.ID)
		return err
	})
}

// setRoles serves POST /admin/users/{username}/roles: the checked roles
// replace the user's.
func (a *App) setRoles(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, "roles", []string{"roles[]"}, func(r *http.Request, actor manage.Actor, u user.User, form url.Values) error {
		_, err := a.g.Manage().SetRoles(r.Context(), actor, u.ID, form["roles"])
		return err
	})
}

// change runs one change of the user the path names, with the form's fields,
// and answers: back to the admin page saying what was done, or the page with
// the refusal.
func (a *App) change(w http.ResponseWriter, r *http.Request, done string, fields []string,
	do func(*http.Request, manage.Actor, user.User, url.Values) error,
) {
	auth, ok := session.FromContext(r.Context())
	if !ok {
		a.fail500(w, r, errNoAuth)
		return
	}
	form, f := readForm(w, r, fields...)
	if f != nil {
		a.adminFailed(w, r, f, newUserForm{})
		return
	}
	u, f := a.target(r, auth)
	if f != nil {
		a.adminFailed(w, r, f, newUserForm{})
		return
	}
	if err := do(r, a.actor(r, auth), u, form); err != nil {
		if !errors.As(err, &f) {
			f = manageError(err, "User "+u.Username+" was changed elsewhere at the same time. Nothing was changed; try again.")
		}
		a.adminFailed(w, r, f, newUserForm{})
		return
	}
	adminDoneRedirect(w, r, done, u.Username)
}
