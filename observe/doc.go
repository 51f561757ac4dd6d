// Package observe defines the hooks through which gatehouse reports what it
// does — logins and their outcomes, authentications and the credential
// presented, lockouts, quota refusals, lost audit actions — to metrics and
// tracing, without depending on any of them.
//
// An [Observer] goes in the Observer field of gatehouse.Config, which New
// passes to the session manager, the quota enforcer and the audit recorder
// (each of whose Configs has the field too, for use without the facade).
// The nested module github.com/gatehouse-go/gatehouse/otel implements it
// with OpenTelemetry, and wraps a storage.Store so that each store call is
// timed and traced.
//
// # Cost
//
// A nil Observer, the default, costs one comparison on the paths it would
// be called from: no allocation, no call, no clock read. An Observer is
// called synchronously and must be quick and safe for concurrent use.
//
// # What events carry
//
// Events carry classes, never identities: an outcome, a reason, the kind of
// credential, the kind of throttle key, the quota's service and method
// group, an audit operation id. No event carries a username, password,
// token, session id, client address or counter key, so an Observer cannot
// leak one into a metric label or a span attribute. [Login].Reason tells
// an unknown username from a wrong password, which the login's caller is
// never told: it is for operators, and an exporter should make it opt-in.
package observe
