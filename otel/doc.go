// Package otel reports what gatehouse does to OpenTelemetry: counters and
// histograms of logins, authentications, lockouts, quota refusals, lost
// audit actions and store calls, and spans for each login, each
// authentication and each store call, so that a slow request shows where
// its time went.
//
// It is a nested module (github.com/gatehouse-go/gatehouse/otel), so that
// the core module does not depend on OpenTelemetry. [New] returns an
// [Observer], which implements the core's hooks (package observe); put it
// in gatehouse.Config.Observer, and pass the store through [WrapStore]:
//
//	o, err := otel.New(otel.Config{MeterProvider: mp, TracerProvider: tp})
//	if err != nil { ... }
//	g, err := gatehouse.New(gatehouse.Config{
//		Store:    otel.WrapStore(store, o),
//		Observer: o,
//	})
//
// Both are optional: a nil Observer costs the core one comparison per
// call, and an unwrapped store is called directly.
//
// # Metrics
//
//	gatehouse.login.attempts           counter    gatehouse.login.outcome [, gatehouse.login.reason]
//	gatehouse.login.duration           histogram  gatehouse.login.outcome (seconds)
//	gatehouse.authentications          counter    gatehouse.auth.credential, gatehouse.auth.outcome [, gatehouse.auth.reason]
//	gatehouse.authentication.duration  histogram  gatehouse.auth.credential, gatehouse.auth.outcome (seconds)
//	gatehouse.lockouts                 counter    gatehouse.throttle.key (username or address)
//	gatehouse.quota.refusals           counter    gatehouse.quota.service, .method_group, .outcome [, .limit]
//	gatehouse.audit.lost               counter    gatehouse.audit.operation, gatehouse.audit.reason
//	gatehouse.store.duration           histogram  gatehouse.store.operation, gatehouse.store.result (seconds)
//
// The values are those of package observe (login outcomes ok, invalid,
// locked, busy, malformed, unavailable, error; authentication outcomes ok,
// refused, unavailable, with reasons such as expired, revoked, idle,
// invalid_token; credential kinds bearer, cookie, none) and the quota limit
// names of package quota. Through the OpenTelemetry Prometheus exporter they
// read gatehouse_login_attempts_total, gatehouse_login_duration_seconds and
// so on.
//
// # Spans
//
// gatehouse.Login and gatehouse.Authenticate are children of the span in
// the caller's context (an HTTP server span, say); the store calls made
// while they run are their children, named gatehouse.store.<operation>
// ("gatehouse.store.sessions.GetSession"). A lockout and a quota refusal
// are events on the current span. A span's status is Error only for a
// failure (the store down), never for a refusal.
//
// # What is never recorded
//
// No attribute, span name or status carries a username, password, token,
// session id or its hash, client address, counter key or store error
// message: only classes and configuration names. The one class that tells
// more than a caller is told — an unknown username from a wrong password
// — is off unless [Config].LoginReasons.
package otel
