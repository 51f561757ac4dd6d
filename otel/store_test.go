package otel_test

import (
	"context"
	"errors"
	"testing"

	"github.com/gatehouse-go/gatehouse/otel"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/storage/memstore"
	"github.com/gatehouse-go/gatehouse/storage/storagetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// The wrapped store passes the conformance suite, its optional
// capabilities included.
func TestWrapStoreConformance(t *testing.T) {
	o, err := otel.New(otel.Config{})
	require.NoError(t, err)
	storagetest.Run(t, func(t *testing.T) storage.Store {
		return otel.WrapStore(memstore.New(memstore.Config{}), o)
	})
}

// nopHandler is a storage.ChangeHandler that ignores everything.
type nopHandler struct{}

func (nopHandler) Changed(storage.Change) {}
func (nopHandler) Subscribed()            {}
func (nopHandler) Lost(error)             {}

// plainStore hides memstore's optional capabilities, as a third-party
// store without them would.
type plainStore struct{ storage.Store }

// The wrapper keeps a capability the wrapped store has, so that an
// authentication still costs one read, and declines one it lacks (found in
// review: a wrapper that hid them would quietly double the round trips).
func TestWrapStoreKeepsCapabilities(t *testing.T) {
	spans := tracetest.NewSpanRecorder()
	o, err := otel.New(otel.Config{TracerProvider: sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))})
	require.NoError(t, err)
	ctx := context.Background()

	w := otel.WrapStore(memstore.New(memstore.Config{}), o)
	ar, ok := w.(storage.AuthReader)
	require.True(t, ok, "AuthReader kept")
	_, ok = w.(storage.UserAuthReader)
	require.True(t, ok, "UserAuthReader kept")
	stop, err := w.(storage.ChangeFeed).WatchChanges(nopHandler{})
	require.NoError(t, err, "ChangeFeed kept")
	stop()
	_, err = ar.ReadAuth(ctx, "no-such-session")
	require.False(t, errors.Is(err, errors.ErrUnsupported), "served by memstore: %v", err)
	require.Len(t, spans.Ended(), 1)
	assert.Equal(t, "gatehouse.store.store.ReadAuth", spans.Ended()[0].Name())

	p := otel.WrapStore(plainStore{memstore.New(memstore.Config{})}, o)
	_, err = p.(storage.AuthReader).ReadAuth(ctx, "x")
	assert.ErrorIs(t, err, errors.ErrUnsupported)
	_, err = p.(storage.UserAuthReader).ReadUserAuth(ctx, "x")
	assert.ErrorIs(t, err, errors.ErrUnsupported)
	_, err = p.(storage.ChangeFeed).WatchChanges(nopHandler{})
	assert.ErrorIs(t, err, errors.ErrUnsupported)
	assert.Len(t, spans.Ended(), 1, "nothing read, nothing traced")
}
