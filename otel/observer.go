package otel

import (
	"context"
	"errors"

	global "go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/gatehouse-go/gatehouse/observe"
)

// ScopeName is the instrumentation scope of the meter and the tracer.
const ScopeName = "github.com/gatehouse-go/gatehouse/otel"

// Attribute keys. Their values are classes (outcomes, reasons, kinds) and
// configuration names (a quota's service and method group, an audit
// operation id, a store method), never a username, password, token,
// session id, address or counter key.
const (
	KeyLoginOutcome   = attribute.Key("gatehouse.login.outcome")
	KeyLoginReason    = attribute.Key("gatehouse.login.reason")
	KeyCredential     = attribute.Key("gatehouse.auth.credential")
	KeyAuthOutcome    = attribute.Key("gatehouse.auth.outcome")
	KeyAuthReason     = attribute.Key("gatehouse.auth.reason")
	KeyThrottleKey    = attribute.Key("gatehouse.throttle.key")
	KeyQuotaService   = attribute.Key("gatehouse.quota.service")
	KeyQuotaGroup     = attribute.Key("gatehouse.quota.method_group")
	KeyQuotaOutcome   = attribute.Key("gatehouse.quota.outcome")
	KeyQuotaLimit     = attribute.Key("gatehouse.quota.limit")
	KeyAuditOperation = attribute.Key("gatehouse.audit.operation")
	KeyAuditReason    = attribute.Key("gatehouse.audit.reason")
	KeyStoreOperation = attribute.Key("gatehouse.store.operation")
	KeyStoreResult    = attribute.Key("gatehouse.store.result")
)

// Config configures an Observer. Its zero value uses the global providers.
type Config struct {
	// MeterProvider makes the instruments; nil means the global one
	// (go.opentelemetry.io/otel.GetMeterProvider).
	MeterProvider metric.MeterProvider
	// TracerProvider makes the spans; nil means the global one
	// (go.opentelemetry.io/otel.GetTracerProvider).
	TracerProvider trace.TracerProvider
	// LoginReasons adds gatehouse.login.reason to the counter and span of
	// an invalid login: unknown_user, no_password, wrong_password,
	// unusable_hash or blocked. (A locked login always has it: username or
	// address, the kind of key locked, which says nothing of a user.)
	// Off by default: the reason tells an unknown username from a wrong
	// password, which the login's caller is never told, and whoever reads
	// the metrics and can time a login would learn whether a username
	// exists; no_password says so too, and blocked says the password
	// tried was right. Turn it on only where metrics are as private as
	// the audit log. It also lets WrapStore report a username lookup that
	// found nobody as not_found.
	LoginReasons bool
}

// Observer implements observe.Observer with OpenTelemetry counters,
// histograms and spans, and makes the store wrappers of [WrapStore]. It is
// safe for concurrent use.
type Observer struct {
	tracer       trace.Tracer
	loginReasons bool

	logins        metric.Int64Counter
	loginDuration metric.Float64Histogram
	auths         metric.Int64Counter
	authDuration  metric.Float64Histogram
	lockouts      metric.Int64Counter
	quotaRefusals metric.Int64Counter
	auditLost     metric.Int64Counter
	storeDuration metric.Float64Histogram
}

var _ observe.Observer = (*Observer)(nil)

// New returns an Observer whose instruments and tracer come from cfg's
// providers. An error means an instrument could not be made.
func New(cfg Config) (*Observer, error) {
	mp, tp := cfg.MeterProvider, cfg.TracerProvider
	if mp == nil {
		mp = global.GetMeterProvider()
	}
	if tp == nil {
		tp = global.GetTracerProvider()
	}
	m := mp.Meter(ScopeName)
	o := &Observer{tracer: tp.Tracer(ScopeName), loginReasons: cfg.LoginReasons}
	fast := metric.WithExplicitBucketBoundaries(0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)
	var errs []error
	counter := func(name, unit, desc string) metric.Int64Counter {
		c, err := m.Int64Counter(name, metric.WithUnit(unit), metric.WithDescription(desc))
		errs = append(errs, err)
		return c
	}
	histogram := func(name, desc string, opts ...metric.Float64HistogramOption) metric.Float64Histogram {
		h, err := m.Float64Histogram(name, append(opts, metric.WithUnit("s"), metric.WithDescription(desc))...)
		errs = append(errs, err)
		return h
	}
	o.logins = counter(MetricLogins, "{attempt}", "Logins by username and password, by outcome.")
	o.loginDuration = histogram(MetricLoginDuration, "Duration of logins, password hashing included.",
		metric.WithExplicitBucketBoundaries(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
	o.auths = counter(MetricAuthentications, "{authentication}", "Authentications of a credential, by kind, outcome and reason.")
	o.authDuration = histogram(MetricAuthenticationDuration, "Duration of authentications.", fast)
	o.lockouts = counter(MetricLockouts, "{lockout}", "Lockouts started or prolonged by failed logins, by kind of key.")
	o.quotaRefusals = counter(MetricQuotaRefusals, "{refusal}", "Operations refused by a quota, by service, method group and limit.")
	o.auditLost = counter(MetricAuditLost, "{action}", "Audit actions not stored, by operation and reason.")
	o.storeDuration = histogram(MetricStoreDuration, "Duration of store calls, by operation and result.", fast)
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return o, nil
}

// Names of the instruments. A Prometheus exporter writes them with
// underscores and a unit suffix: gatehouse_login_attempts_total,
// gatehouse_login_duration_seconds, and so on.
const (
	MetricLogins                 = "gatehouse.login.attempts"
	MetricLoginDuration          = "gatehouse.login.duration"
	MetricAuthentications        = "gatehouse.authentications"
	MetricAuthenticationDuration = "gatehouse.authentication.duration"
	MetricLockouts               = "gatehouse.lockouts"
	MetricQuotaRefusals          = "gatehouse.quota.refusals"
	MetricAuditLost              = "gatehouse.audit.lost"
	MetricStoreDuration          = "gatehouse.store.duration"
)

// Names of the spans; a store call's span is "gatehouse.store." and the
// operation, such as "gatehouse.store.sessions.GetSession".
const (
	SpanLogin        = "gatehouse.Login"
	SpanAuthenticate = "gatehouse.Authenticate"
)

// LoginStart starts the span of a login.
func (o *Observer) LoginStart(ctx context.Context) context.Context {
	ctx, _ = o.tracer.Start(ctx, SpanLogin)
	return ctx
}

// LoginDone counts the login, records its duration and ends its span.
func (o *Observer) LoginDone(ctx context.Context, e observe.Login) {
	attrs := []attribute.KeyValue{KeyLoginOutcome.String(string(e.Outcome))}
	if e.Reason != "" && (o.loginReasons || e.Outcome == observe.LoginLocked) {
		attrs = append(attrs, KeyLoginReason.String(string(e.Reason)))
	}
	set := metric.WithAttributes(attrs...)
	o.logins.Add(ctx, 1, set)
	o.loginDuration.Record(ctx, e.Duration.Seconds(), metric.WithAttributes(attrs[0]))
	span := trace.SpanFromContext(ctx)
	span.SetAttributes(attrs...)
	if e.Outcome == observe.LoginUnavailable || e.Outcome == observe.LoginError {
		span.SetStatus(codes.Error, string(e.Outcome))
	}
	span.End()
}

// AuthenticateStart starts the span of an authentication.
func (o *Observer) AuthenticateStart(ctx context.Context, c observe.Credential) context.Context {
	ctx, _ = o.tracer.Start(ctx, SpanAuthenticate, trace.WithAttributes(KeyCredential.String(string(c))))
	return ctx
}

// AuthenticateDone counts the authentication, records its duration and
// ends its span.
func (o *Observer) AuthenticateDone(ctx context.Context, e observe.Authentication) {
	cred, outcome := KeyCredential.String(string(e.Credential)), KeyAuthOutcome.String(string(e.Outcome))
	if e.Reason != "" {
		o.auths.Add(ctx, 1, metric.WithAttributes(cred, outcome, KeyAuthReason.String(string(e.Reason))))
	} else {
		o.auths.Add(ctx, 1, metric.WithAttributes(cred, outcome))
	}
	o.authDuration.Record(ctx, e.Duration.Seconds(), metric.WithAttributes(cred, outcome))
	span := trace.SpanFromContext(ctx)
	span.SetAttributes(outcome)
	if e.Reason != "" {
		span.SetAttributes(KeyAuthReason.String(string(e.Reason)))
	}
	if e.Outcome == observe.AuthUnavailable {
		span.SetStatus(codes.Error, string(e.Outcome))
	}
	span.End()
}

// Lockout counts the lockout and adds an event to the current span.
func (o *Observer) Lockout(ctx context.Context, e observe.Lockout) {
	key := KeyThrottleKey.String(string(e.Key))
	o.lockouts.Add(ctx, 1, metric.WithAttributes(key))
	trace.SpanFromContext(ctx).AddEvent("gatehouse.lockout", trace.WithAttributes(key,
		attribute.Int64("gatehouse.throttle.failures", e.Failures),
		attribute.Float64("gatehouse.throttle.wait_seconds", e.Wait.Seconds())))
}

// QuotaRefused counts the refusal and adds an event to the current span.
func (o *Observer) QuotaRefused(ctx context.Context, e observe.QuotaRefusal) {
	attrs := []attribute.KeyValue{
		KeyQuotaService.String(e.Service), KeyQuotaGroup.String(e.MethodGroup),
		KeyQuotaOutcome.String(string(e.Outcome)),
	}
	if e.Limit != "" {
		attrs = append(attrs, KeyQuotaLimit.String(e.Limit))
	}
	o.quotaRefusals.Add(ctx, 1, metric.WithAttributes(attrs...))
	trace.SpanFromContext(ctx).AddEvent("gatehouse.quota.refused", trace.WithAttributes(attrs...))
}

// AuditLost counts the lost action.
func (o *Observer) AuditLost(ctx context.Context, e observe.AuditLoss) {
	o.auditLost.Add(ctx, 1, metric.WithAttributes(
		KeyAuditOperation.String(e.Operation), KeyAuditReason.String(string(e.Reason))))
}
