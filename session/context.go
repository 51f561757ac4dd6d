package session

import "context"

type authKey struct{}

// NewContext returns a copy of ctx carrying a, for the handlers behind an
// authenticating middleware.
func NewContext(ctx context.Context, a *Auth) context.Context {
	return context.WithValue(ctx, authKey{}, a)
}

// FromContext returns the *Auth that NewContext put in ctx, if any.
func FromContext(ctx context.Context) (*Auth, bool) {
	a, ok := ctx.Value(authKey{}).(*Auth)
	return a, ok && a != nil
}
