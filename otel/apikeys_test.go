package otel_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"

	"github.com/gatehouse-go/gatehouse"
	"github.com/gatehouse-go/gatehouse/otel"
	"github.com/gatehouse-go/gatehouse/session"
)

// An API key authenticates as the api_key credential, through the traced
// key store, and no span or metric carries the key, its hash, its public
// id or its name.
func TestAPIKeyAuthentication(t *testing.T) {
	h := newHarness(t, gatehouse.Config{}, nil)
	res, err := h.login(t, password)
	require.NoError(t, err)
	ctx := context.Background()
	a, err := h.g.Sessions().Authenticate(ctx, session.Credential{Bearer: res.Token})
	require.NoError(t, err)
	k, err := h.g.Sessions().CreateAPIKey(ctx, a, session.APIKeyRequest{Name: "nightly-export"}, session.Client{})
	require.NoError(t, err)
	h.secrets = append(h.secrets, k.Key, k.Key[len(session.APIKeyPrefix):], k.Record.KeyHash, k.Record.ID, k.Record.Name)
	h.spans.Reset()

	_, err = h.g.Sessions().Authenticate(ctx, session.Credential{APIKey: k.Key, ClientIP: "192.0.2.10"})
	require.NoError(t, err)
	_, err = h.g.Sessions().Authenticate(ctx, session.Credential{APIKey: k.Key[:len(k.Key)-2] + "AA", ClientIP: "192.0.2.10"})
	require.Error(t, err)

	rm := h.collect(t)
	ok := []attribute.KeyValue{otel.KeyCredential.String("api_key"), otel.KeyAuthOutcome.String("ok")}
	assert.Equal(t, int64(1), sum(t, rm, otel.MetricAuthentications, ok...))
	var names []string
	for _, s := range h.spans.Ended() {
		names = append(names, s.Name())
	}
	assert.Contains(t, names, "gatehouse.store.apikeys.GetAPIKey")
	h.noSecrets(t)
}
