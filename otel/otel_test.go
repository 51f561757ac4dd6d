package otel_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/gatehouse-go/gatehouse"
	"github.com/gatehouse-go/gatehouse/datafile"
	"github.com/gatehouse-go/gatehouse/gatehousetest"
	"github.com/gatehouse-go/gatehouse/otel"
	"github.com/gatehouse-go/gatehouse/quota"
	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/storage/memstore"
)

const (
	username = "alice"
	password = "alice-secret-password"
)

// harness is a Gatehouse over a wrapped in-memory store, observed by an
// otel.Observer whose metrics go to a manual reader and spans to a
// recorder.
type harness struct {
	g      *gatehouse.Gatehouse
	reader *sdkmetric.ManualReader
	spans  *tracetest.SpanRecorder
	mem    *memstore.Store
	// secrets are the values no attribute may carry.
	secrets []string
}

func newHarness(t *testing.T, cfg gatehouse.Config, wrap func(storage.Store) storage.Store) *harness {
	t.Helper()
	h := &harness{reader: sdkmetric.NewManualReader(), spans: tracetest.NewSpanRecorder()}
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(h.reader))
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(h.spans))
	t.Cleanup(func() { _ = mp.Shutdown(context.Background()); _ = tp.Shutdown(context.Background()) })
	o, err := otel.New(otel.Config{MeterProvider: mp, TracerProvider: tp})
	require.NoError(t, err)

	h.mem = memstore.New(memstore.Config{})
	var st storage.Store = h.mem
	if wrap != nil {
		st = wrap(st)
	}
	cfg.Store = otel.WrapStore(st, o)
	cfg.Observer = o
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg.Session.Hasher = gatehousetest.Hasher()
	h.g, err = gatehouse.New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = h.g.Close() })

	data, err := datafile.Parse([]byte(`{
		"roles": [{"code": "planner", "entities": {"*": ["read"]},
			"quotas": [{"service": "UNIVERSAL", "method_group": "PLAN", "points_per_request": 10}]}],
		"users": [{"username": "` + username + `", "password": "` + password + `", "company": "acme", "roles": ["planner"]}]
	}`))
	require.NoError(t, err)
	_, err = h.g.ApplyDataFile(context.Background(), data)
	require.NoError(t, err)
	h.secrets = []string{username, password}
	h.spans.Reset() // forget the setup's spans
	return h
}

func (h *harness) login(t *testing.T, pw string) (*session.Result, error) {
	t.Helper()
	res, err := h.g.Sessions().Login(context.Background(), session.LoginRequest{
		Username: username, Password: pw, Client: session.Client{IP: "192.0.2.10"}})
	h.secrets = append(h.secrets, pw, "192.0.2.10")
	if res != nil {
		h.secrets = append(h.secrets, res.Token, res.SessionID, res.Session.IDHash)
	}
	return res, err
}

func (h *harness) collect(t *testing.T) metricdata.ResourceMetrics {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, h.reader.Collect(context.Background(), &rm))
	return rm
}

// sum returns the value of counter name at the data point whose attributes
// include want (0 when there is none).
func sum(t *testing.T, rm metricdata.ResourceMetrics, name string, want ...attribute.KeyValue) int64 {
	t.Helper()
	var total int64
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != name {
				continue
			}
			data, ok := m.Data.(metricdata.Sum[int64])
			require.True(t, ok, "%s is a sum", name)
			for _, dp := range data.DataPoints {
				if hasAll(dp.Attributes, want) {
					total += dp.Value
				}
			}
		}
	}
	return total
}

// count returns the number of measurements of histogram name whose
// attributes include want.
func count(t *testing.T, rm metricdata.ResourceMetrics, name string, want ...attribute.KeyValue) uint64 {
	t.Helper()
	var n uint64
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != name {
				continue
			}
			data, ok := m.Data.(metricdata.Histogram[float64])
			require.True(t, ok, "%s is a histogram", name)
			for _, dp := range data.DataPoints {
				if hasAll(dp.Attributes, want) {
					n += dp.Count
				}
			}
		}
	}
	return n
}

func hasAll(set attribute.Set, want []attribute.KeyValue) bool {
	for _, kv := range want {
		if v, ok := set.Value(kv.Key); !ok || v != kv.Value {
			return false
		}
	}
	return true
}

// span returns the ended span named name; it fails unless there is exactly
// one.
func (h *harness) span(t *testing.T, name string) sdktrace.ReadOnlySpan {
	t.Helper()
	var found []sdktrace.ReadOnlySpan
	for _, s := range h.spans.Ended() {
		if s.Name() == name {
			found = append(found, s)
		}
	}
	require.Len(t, found, 1, "spans named %s", name)
	return found[0]
}

// children returns the names of the spans whose parent is p.
func (h *harness) children(p sdktrace.ReadOnlySpan) []string {
	var names []string
	for _, s := range h.spans.Ended() {
		if s.Parent().SpanID() == p.SpanContext().SpanID() {
			names = append(names, s.Name())
		}
	}
	return names
}

func attr(s sdktrace.ReadOnlySpan, key attribute.Key) string {
	for _, kv := range s.Attributes() {
		if kv.Key == key {
			return kv.Value.String()
		}
	}
	return ""
}

func TestFailedLogin(t *testing.T) {
	h := newHarness(t, gatehouse.Config{}, nil)
	_, err := h.login(t, "wrong-password")
	require.ErrorIs(t, err, session.ErrInvalidCredentials)

	rm := h.collect(t)
	invalid := otel.KeyLoginOutcome.String("invalid")
	assert.Equal(t, int64(1), sum(t, rm, otel.MetricLogins, invalid))
	assert.Equal(t, int64(0), sum(t, rm, otel.MetricLogins, otel.KeyLoginOutcome.String("ok")))
	assert.Equal(t, uint64(1), count(t, rm, otel.MetricLoginDuration, invalid))
	assert.Equal(t, int64(1), sum(t, rm, otel.MetricLogins), "one login, one point")

	s := h.span(t, otel.SpanLogin)
	assert.Equal(t, "invalid", attr(s, otel.KeyLoginOutcome))
	assert.Empty(t, attr(s, otel.KeyLoginReason), "reasons are off by default")
	assert.Equal(t, codes.Unset, s.Status().Code, "a refusal is no error")
	assert.Contains(t, h.children(s), "gatehouse.store.users.GetUserByUsername", "the login's store calls are its children")
	assert.Contains(t, h.children(s), "gatehouse.store.counters.Increment")
	assert.Positive(t, count(t, rm, otel.MetricStoreDuration,
		otel.KeyStoreOperation.String("users.GetUserByUsername"), otel.KeyStoreResult.String("ok")))
	h.noSecrets(t)
}

func TestLoginReasons(t *testing.T) {
	h := newHarness(t, gatehouse.Config{}, nil)
	reader := sdkmetric.NewManualReader()
	o, err := otel.New(otel.Config{MeterProvider: sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader)), LoginReasons: true})
	require.NoError(t, err)
	m, err := session.New(h.mem, h.g.Keys(), session.Config{Observer: o, Hasher: gatehousetest.Hasher()})
	require.NoError(t, err)
	_, err = m.Login(context.Background(), session.LoginRequest{Username: "nobody", Password: "whatever"})
	require.ErrorIs(t, err, session.ErrInvalidCredentials)
	_, err = m.Login(context.Background(), session.LoginRequest{Username: username, Password: "wrong-password"})
	require.ErrorIs(t, err, session.ErrInvalidCredentials)
	var rm metricdata.ResourceMetrics
	require.NoError(t, reader.Collect(context.Background(), &rm))
	assert.Equal(t, int64(1), sum(t, rm, otel.MetricLogins, otel.KeyLoginReason.String("unknown_user")))
	assert.Equal(t, int64(1), sum(t, rm, otel.MetricLogins, otel.KeyLoginReason.String("wrong_password")))
}

func TestLockout(t *testing.T) {
	h := newHarness(t, gatehouse.Config{Session: session.Config{
		Throttle: session.Throttle{PerUsername: session.Limit{MaxFailures: 2}}}}, nil)
	for range 2 {
		_, err := h.login(t, "wrong-password")
		require.ErrorIs(t, err, session.ErrInvalidCredentials)
	}
	_, err := h.login(t, password)
	require.ErrorIs(t, err, session.ErrLocked)

	rm := h.collect(t)
	assert.Equal(t, int64(1), sum(t, rm, otel.MetricLockouts, otel.KeyThrottleKey.String("username")))
	assert.Equal(t, int64(2), sum(t, rm, otel.MetricLogins, otel.KeyLoginOutcome.String("invalid")))
	assert.Equal(t, int64(1), sum(t, rm, otel.MetricLogins,
		otel.KeyLoginOutcome.String("locked"), otel.KeyLoginReason.String("username")))

	var events []string
	for _, s := range h.spans.Ended() {
		for _, e := range s.Events() {
			events = append(events, s.Name()+": "+e.Name)
		}
	}
	assert.Equal(t, []string{otel.SpanLogin + ": gatehouse.lockout"}, events)
	h.noSecrets(t)
}

func TestQuotaRefusal(t *testing.T) {
	h := newHarness(t, gatehouse.Config{}, nil)
	res, err := h.login(t, password)
	require.NoError(t, err)
	a, err := h.g.Sessions().Authenticate(context.Background(), session.Credential{Bearer: res.Token})
	require.NoError(t, err)
	subj, err := quota.NewSubject(a.User, a.Set)
	require.NoError(t, err)
	_, err = h.g.Quotas().Acquire(context.Background(), subj, "UNIVERSAL", "PLAN", 11)
	require.ErrorIs(t, err, quota.ErrQuotaExceeded)
	_, err = h.g.Quotas().Acquire(context.Background(), subj, "UNIVERSAL", "OTHER", 1)
	require.ErrorIs(t, err, quota.ErrNoQuota)

	rm := h.collect(t)
	assert.Equal(t, int64(1), sum(t, rm, otel.MetricQuotaRefusals,
		otel.KeyQuotaService.String("UNIVERSAL"), otel.KeyQuotaGroup.String("PLAN"),
		otel.KeyQuotaOutcome.String("exceeded"), otel.KeyQuotaLimit.String(quota.LimitPointsPerRequest)))
	assert.Equal(t, int64(1), sum(t, rm, otel.MetricQuotaRefusals,
		otel.KeyQuotaGroup.String("OTHER"), otel.KeyQuotaOutcome.String("no_quota")))
	h.noSecrets(t)
}

// downSessions fails every session read, as a store whose server is gone.
type downSessions struct{ storage.SessionStore }

func (downSessions) GetSession(context.Context, string) (storage.Session, error) {
	return storage.Session{}, errors.New("dial tcp 192.0.2.99:6379: connection refused")
}

func TestStoreFailure(t *testing.T) {
	var broken bool
	h := newHarness(t, gatehouse.Config{}, func(s storage.Store) storage.Store {
		return storage.Compose(s, storage.Parts{Sessions: switchable{s.Sessions(), &broken}})
	})
	res, err := h.login(t, password)
	require.NoError(t, err)
	h.spans.Reset()
	broken = true
	_, err = h.g.Sessions().Authenticate(context.Background(), session.Credential{SessionID: res.SessionID})
	require.ErrorIs(t, err, session.ErrStore)

	rm := h.collect(t)
	// The composed store reads the session, its user and the versions in
	// one call (storage.AuthReader), which fails.
	assert.Equal(t, uint64(1), count(t, rm, otel.MetricStoreDuration,
		otel.KeyStoreOperation.String("store.ReadAuth"), otel.KeyStoreResult.String("error")))
	assert.Equal(t, int64(1), sum(t, rm, otel.MetricAuthentications,
		otel.KeyCredential.String("cookie"), otel.KeyAuthOutcome.String("unavailable"), otel.KeyAuthReason.String("store")))

	store := h.span(t, "gatehouse.store.store.ReadAuth")
	assert.Equal(t, codes.Error, store.Status().Code)
	assert.Equal(t, "store error", store.Status().Description, "never the store's message")
	auth := h.span(t, otel.SpanAuthenticate)
	assert.Equal(t, codes.Error, auth.Status().Code)
	assert.Equal(t, auth.SpanContext().SpanID(), store.Parent().SpanID())
	h.secrets = append(h.secrets, "192.0.2.99")
	h.noSecrets(t)
}

// switchable fails GetSession while *broken.
type switchable struct {
	storage.SessionStore
	broken *bool
}

func (s switchable) GetSession(ctx context.Context, idHash string) (storage.Session, error) {
	if *s.broken {
		return downSessions{}.GetSession(ctx, idHash)
	}
	return s.SessionStore.GetSession(ctx, idHash)
}

func TestSuccessfulAuthentication(t *testing.T) {
	h := newHarness(t, gatehouse.Config{}, nil)
	res, err := h.login(t, password)
	require.NoError(t, err)
	h.spans.Reset()
	_, err = h.g.Sessions().Authenticate(context.Background(), session.Credential{Bearer: res.Token})
	require.NoError(t, err)

	rm := h.collect(t)
	assert.Equal(t, int64(1), sum(t, rm, otel.MetricLogins, otel.KeyLoginOutcome.String("ok")))
	ok := []attribute.KeyValue{otel.KeyCredential.String("bearer"), otel.KeyAuthOutcome.String("ok")}
	assert.Equal(t, int64(1), sum(t, rm, otel.MetricAuthentications, ok...))
	assert.Equal(t, uint64(1), count(t, rm, otel.MetricAuthenticationDuration, ok...))

	s := h.span(t, otel.SpanAuthenticate)
	assert.Equal(t, "bearer", attr(s, otel.KeyCredential))
	assert.Equal(t, "ok", attr(s, otel.KeyAuthOutcome))
	assert.ElementsMatch(t, []string{
		"gatehouse.store.store.ReadAuth", "gatehouse.store.roles.ListRoles",
	}, h.children(s), "where the time went: one read of the session, its user and the versions, then the roles to compile")
	h.noSecrets(t)
}

// noSecrets checks that no attribute value, span name, event or status of
// the test carries a username, password, token, session id, session hash
// or address it used.
func (h *harness) noSecrets(t *testing.T) {
	t.Helper()
	var values []string
	rm := h.collect(t)
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			values = append(values, m.Name)
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, dp := range d.DataPoints {
					values = append(values, emit(dp.Attributes.ToSlice())...)
				}
			case metricdata.Histogram[float64]:
				for _, dp := range d.DataPoints {
					values = append(values, emit(dp.Attributes.ToSlice())...)
				}
			default:
				t.Fatalf("unexpected data of %s: %T", m.Name, m.Data)
			}
		}
	}
	for _, s := range h.spans.Ended() {
		values = append(values, s.Name(), s.Status().Description)
		values = append(values, emit(s.Attributes())...)
		for _, e := range s.Events() {
			values = append(values, e.Name)
			values = append(values, emit(e.Attributes)...)
		}
	}
	require.NotEmpty(t, values)
	for _, v := range values {
		for _, secret := range h.secrets {
			if secret == "" {
				continue
			}
			assert.NotEqual(t, secret, v)
			assert.NotContains(t, strings.ToLower(v), strings.ToLower(secret))
		}
	}
}

func emit(kvs []attribute.KeyValue) []string {
	out := make([]string, 0, len(kvs))
	for _, kv := range kvs {
		out = append(out, kv.Value.String())
	}
	return out
}

// Without LoginReasons, nothing exported tells an unknown username from a
// wrong password: the attribute sets of both logins' spans and of the
// metrics are the same (found in review: the store wrapper's not_found).
func TestUnknownUserLooksLikeWrongPassword(t *testing.T) {
	observed := func(login func(h *harness)) ([]string, []string) {
		h := newHarness(t, gatehouse.Config{}, nil)
		login(h)
		var spans []string
		for _, s := range h.spans.Ended() {
			spans = append(spans, fmt.Sprint(s.Name(), s.Attributes(), s.Status()))
		}
		var points []string
		rm := h.collect(t)
		for _, sm := range rm.ScopeMetrics {
			for _, m := range sm.Metrics {
				switch d := m.Data.(type) {
				case metricdata.Sum[int64]:
					for _, p := range d.DataPoints {
						points = append(points, fmt.Sprint(m.Name, p.Attributes.ToSlice(), p.Value))
					}
				case metricdata.Histogram[float64]:
					for _, p := range d.DataPoints {
						points = append(points, fmt.Sprint(m.Name, p.Attributes.ToSlice(), p.Count))
					}
				}
			}
		}
		slices.Sort(spans)
		slices.Sort(points)
		return spans, points
	}
	unknownSpans, unknownPoints := observed(func(h *harness) {
		_, err := h.g.Sessions().Login(context.Background(), session.LoginRequest{Username: "nobody", Password: "wrong-password"})
		require.ErrorIs(t, err, session.ErrInvalidCredentials)
	})
	wrongSpans, wrongPoints := observed(func(h *harness) {
		_, err := h.g.Sessions().Login(context.Background(), session.LoginRequest{Username: username, Password: "wrong-password"})
		require.ErrorIs(t, err, session.ErrInvalidCredentials)
	})
	require.NotEmpty(t, unknownSpans)
	assert.Equal(t, wrongSpans, unknownSpans)
	assert.Equal(t, wrongPoints, unknownPoints)
}
