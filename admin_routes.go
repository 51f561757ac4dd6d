package gatehouse

import "net/http"

// adminRoutes is the admin API: the management of users, roles and
// sessions at run time over package manage, in one table like routes.
// Every route needs a live session; manage then applies its rules of who
// may do what (users_manage, roles_manage, the caller's own company,
// admin-only changes, no escalation, no self-demotion), and a read-only
// caller gets 403 for every unsafe method. api/openapi.json describes
// these routes under /admin, where the demo server mounts them.
func (g *Gatehouse) adminRoutes() []route {
	return []route{
		// Users of the caller's company.
		{pattern: "GET /users", operation: "admin_users", access: liveSession, serve: g.serveAdminUsers},
		{pattern: "POST /users", operation: "admin_user_create", access: liveSession, serve: g.serveAdminUserCreate},
		{pattern: "GET /users/{username}", operation: "admin_user", access: liveSession, serve: g.serveAdminUser},
		{pattern: "PATCH /users/{username}", operation: "admin_user_update", access: liveSession, serve: g.serveAdminUserUpdate},
		{pattern: "DELETE /users/{username}", operation: "admin_user_delete", access: liveSession, serve: g.serveAdminUserDelete},
		{pattern: "PUT /users/{username}/password", operation: "admin_user_password", access: liveSession, serve: g.serveAdminUserPassword},
		{pattern: "GET /users/{username}/sessions", operation: "admin_user_sessions", access: liveSession, serve: g.serveAdminUserSessions},
		{pattern: "DELETE /users/{username}/sessions", operation: "admin_user_sessions_revoke", access: liveSession, serve: g.serveAdminUserSessionsRevoke},
		{pattern: "GET /users/{username}/api-keys", operation: "admin_user_api_keys", access: liveSession, serve: g.serveAdminUserAPIKeys},
		{pattern: "DELETE /users/{username}/api-keys/{id}", operation: "admin_user_api_key_revoke", access: liveSession, serve: g.serveAdminUserAPIKeyRevoke},

		// The role catalogue, shared by every company.
		{pattern: "GET /roles", operation: "admin_roles", access: liveSession, serve: g.serveAdminRoles},
		{pattern: "GET /roles/{code}", operation: "admin_role", access: liveSession, serve: g.serveAdminRole},
		{pattern: "PUT /roles/{code}", operation: "admin_role_put", access: liveSession, serve: g.serveAdminRolePut},
		{pattern: "DELETE /roles/{code}", operation: "admin_role_delete", access: liveSession, serve: g.serveAdminRoleDelete},
	}
}

// AdminHandler returns the admin API: users, roles and sessions managed at
// run time (see package manage, which it calls with the authenticated
// caller as the actor). It is a handler of its own, apart from
// [Gatehouse.Handler], for the host to mount where it wants, usually
// behind its own network rules:
//
//	mux.Handle("/", g.Handler())
//	mux.Handle("/admin/", http.StripPrefix("/admin", g.AdminHandler()))
//
// It is routed like Handler: trace codes, the same authentication (bearer
// token or session cookie, with the cross-origin check), the body limit
// and the error body. Its routes are:
//
//	GET    /users?offset&limit&q           {"users": [...], "total": N}
//	POST   /users                          201 and the user
//	GET    /users/{username}               the user
//	PATCH  /users/{username}               JSON merge patch; the user
//	DELETE /users/{username}               204
//	PUT    /users/{username}/password      {"new_password"}; 204
//	GET    /users/{username}/sessions      {"sessions": [...]}
//	DELETE /users/{username}/sessions      {"revoked": N}
//	GET    /users/{username}/api-keys      {"api_keys": [...]}
//	DELETE /users/{username}/api-keys/{id} 204
//	GET    /roles                          {"roles": [...]}
//	GET    /roles/{code}                   the role
//	PUT    /roles/{code}                   200 (replaced) or 201 (created)
//	DELETE /roles/{code}?force=true        204, or 409 while in use
//
// A user is the GET /user document ([UserDocument]) plus parameters,
// created_at, updated_at and password_changed_at; never a hash. A role is
// the data file's role object. Usernames match up to case; a user of
// another company is 404, as if absent. Errors: 400 naming the field and
// the rule, 403 naming the rule refused, 404, 409 (a username taken, a role
// in use, a concurrent change), 503 when the store fails; nothing is
// written on a failure.
func (g *Gatehouse) AdminHandler() http.Handler {
	rt := newRouter(g)
	for _, r := range g.adminRoutes() {
		rt.handle(r)
	}
	return rt.finish()
}
