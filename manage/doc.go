// Package manage owns every run-time change of users, roles and sessions:
// the API a host calls instead of its store. Reach it with
// (*gatehouse.Gatehouse).Manage(), or build one with [New] over a store
// and the session manager that authenticates over it.
//
//	m := g.Manage()
//	u, err := m.CreateUser(ctx, manage.System, manage.NewUser{
//		Username: "alice", Password: "correct horse", Company: "acme", Roles: []string{"sales"},
//	})
//
// # Users
//
// [Manager.CreateUser] makes the user's id, validates every field by the
// rules of the data file (user.User.Validate), applies the password policy
// and hashes with the sessions' hasher; a role that names no stored role
// is refused with a field error naming it, and a username taken up to
// case is [ErrConflict]. [Manager.UpdateUser] applies a change function
// with optimistic retry (re-applied to what is stored after a concurrent
// change) and validates what it changed. [Manager.SetPassword] is an
// administrator's reset: the new hash and a bumped session epoch are one
// write, so every session and token of the user dies at once, on every
// instance sharing the store. [Manager.Block] refuses the user's sessions
// at once and for good; [Manager.DeleteUser] revokes them first.
// [Manager.ListUsers] pages with a total, a company filter and a search.
//
// # Roles
//
// [Manager.PutRole] validates a role on its own, against the whole stored
// catalogue with it in place (unknown base roles, cycles) and against the
// stored schema when one is declared: an invalid role is never stored.
// [Manager.DeleteRole] refuses a role held by users or included by other
// roles with a [*RoleInUseError] unless forced.
//
// # Sessions
//
// [Manager.Sessions] lists the live sessions of a user (the live-session
// rule of package session, applied there), newest first. A session's
// public id is the sid its tokens carry (its IDHash): it names the
// session for [Manager.RevokeSession] and never authenticates.
// [Manager.RevokeSessions] ends all of a user's; [Manager.RevokeOtherSessions]
// all of the caller's but the current one.
//
// # API keys
//
// [Manager.APIKeys] lists the live API keys of a user (not revoked, not
// expired, made under the user's current session epoch), oldest first,
// never the key; [Manager.RevokeAPIKey] revokes one by its public id, and
// a key the user does not have, another user's included, is [ErrNotFound].
// Both follow the rules of sessions below: anyone lists and revokes its
// own, read-only users included (revoking takes access away); another
// user's need PermUsers in the caller's company and the rules of
// UpdateUser. Keys are made by their owner only (session.Manager's
// CreateAPIKey).
//
// # Who may do what
//
// Every method takes an [Actor]. [System], the zero value, is the host's
// own trusted code: only validation applies. A caller (Actor.Auth set, as
// package session authenticated it) is held to these rules, each refused
// with a [*ForbiddenError] naming it:
//
//   - managing users needs the specific permission [PermUsers]
//     ("users_manage"), managing roles [PermRoles] ("roles_manage");
//     admins hold every permission (RulePermission). Reading roles needs
//     either;
//   - a read-only caller (user.AccessReadOnly) reads, and changes nothing
//     but its own sessions (RuleReadOnly);
//   - a caller manages only the users of its own company: another
//     company's user is [ErrNotFound], as if absent, and creating a user
//     in (or moving one to) another company is refused (RuleCompany);
//   - only an admin creates an admin, makes a user admin or changes an
//     admin in any way, password, roles and sessions included (RuleAdmin);
//   - a non-admin grants only roles it holds itself, directly or through
//     their base roles, and changes (password, roles, block, sessions,
//     delete) only users all of whose roles it holds — else it could reset
//     the password of a user who holds more and act as that user
//     (RuleEscalation);
//   - a non-admin changes or deletes only roles nobody holds, directly or
//     as a base of a held role: the catalogue is shared by every company,
//     and widening a held role would widen its holders, the caller
//     included. New roles it makes are drafts until an admin grants them
//     (RuleEscalation);
//   - where the roles' row rules read $user.username or
//     $user.<attribute>, a non-admin renames no user, changes none of its
//     own such attributes and sets another user's only to values it holds
//     itself: a user manager must not widen whose rows it (or a user whose
//     password it sets) sees (RuleIdentity). Prefer $user.id in ownership
//     rules: it never changes and is never reused;
//   - nobody blocks, deletes or demotes itself — drops its admin flag,
//     makes itself read-only or drops one of its roles — nor resets its own
//     password here, which would skip the current one (RuleSelf).
//
// Everyone may list and revoke its own sessions, read-only users
// included: they are its own credentials. The role catalogue is shared by
// every company, so PermRoles is a deployment-wide permission.
//
// # Errors
//
// Errors wrap [ErrInvalid] (user.ErrInvalid: a *user.FieldError or
// user.ValidationErrors naming the field and rule, or the permissions
// error naming the role and field), [ErrNotFound], [ErrConflict] or
// [ErrForbidden]; any other error is a failure of the store. Nothing is
// half-written on a refusal: every check is made before the first write.
//
// # Audit
//
// Every change is an audit action (method group [MethodGroup]) with the
// actor as its Username and Company — for System, [SystemUsername] and the
// target user's company (none for a role, so a role change by System is
// kept but listed by no company's audit query) — and the target in its
// Detail, never a secret:
// user_create, user_update (with the names of the fields changed),
// user_password_set, user_block, user_unblock, user_delete, role_put,
// role_delete, session_revoke and api_key_revoke.
package manage
