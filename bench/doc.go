// Package bench compares gatehouse with other libraries: its permission
// checks with casbin's enforcers on the same RBAC policy; its token signing
// and verification with raw golang-jwt and crypto/hmac; its Authenticate
// middleware with alexedwards/scs for cookie sessions, and with verifying the
// token alone for bearer tokens. It also holds the interop test that verifies
// gatehouse tokens with an independent JOSE implementation (lestrrat-go/jwx)
// from the published JWKS alone. Its command load (bench/load) drives
// cookie GET /session over loopback HTTP against gatehouse in the strict
// and the cached mode, scs on three stores and a bare handler, and
// measures the revocation lag between two instances under load.
//
// It is a nested module so that casbin, jwx and their dependencies never reach
// users of gatehouse. The non-test code builds the shared fixtures: see
// [NewPolicy]. The figures and the command that produced them are in
// README.md.
package bench
