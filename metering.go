package gatehouse

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"

	"github.com/gatehouse-go/gatehouse/audit"
	"github.com/gatehouse-go/gatehouse/quota"
	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/storage"
)

// Metered describes a host operation that [Gatehouse.RequireQuota] charges
// to the caller's quota and records in the audit.
type Metered struct {
	// Service and MethodGroup select the quota (the account service's
	// service_name and method_group).
	Service     string
	MethodGroup string
	// Operation is the audit operation id (the account service's
	// operation_id, such as "run_plan_calculation"). Required.
	Operation string
	// Points returns what a request costs. Nil means 1. A negative value
	// is a bug of the host, answered 500.
	Points func(*http.Request) int64
	// UniquePoints returns the unique points the audit records for a
	// request (GET /statistics unique_points_per_day). Nil means the
	// request's points.
	UniquePoints func(*http.Request) int64
}

// ErrNoMeteredAction is returned by AttachData outside a handler behind
// Gatehouse.RequireQuota: there is no audit action to attach data to.
var ErrNoMeteredAction = errors.New("gatehouse: no metered action in this context")

// RequireQuota returns middleware, to be used behind Authenticate, that
// charges the caller's quota for m before the handler runs and records one
// audit action per request.
//
// A request that would exceed a limit (see package quota) gets 429 with the
// error body and Retry-After: when the day, the date window or a
// concurrency slot frees up. A request over points_per_request gets 429
// without Retry-After: the same request can never pass. A user with no quota
// for the service and method group gets 403 (admins are not limited there);
// a store failure gets 503: every failure denies. Without an *session.Auth in
// the context (Authenticate missing in front) the answer is 401.
//
// It panics when m.Operation is empty, as ServeMux does for a bad pattern:
// that is a mistake in the host's code, found at start-up.
//
// The concurrency slot is released when the handler returns, and also when
// it panics (the panic goes on). Points are not refunded: an operation that
// ran is charged.
//
// The audit action has the request's trace code (TraceCode, also sent as
// X-Trace-Code), the caller, m's service, operation and method group, the
// points, the duration and an outcome: "ok" for a status below 400,
// "rejected" for 4xx, "failed" for 5xx, "panic", or "denied" with the limit
// in its detail for a refused request (which records 0 points). Handlers add
// data to it with AttachData rather than recording a second action under the
// same trace code. A failed audit write is logged, not answered: the
// response is already written.
func (g *Gatehouse) RequireQuota(m Metered) func(http.Handler) http.Handler {
	if m.Operation == "" {
		panic("gatehouse: RequireQuota: Metered.Operation is required")
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ri, ctx := g.infoFor(r.Context(), m.Operation)
			r = r.WithContext(ctx)
			ri.operation = m.Operation
			if err := ri.ensureTrace(w); err != nil {
				g.failHost(w, r, ri, errUnavailable(err))
				return
			}
			a, ok := session.FromContext(ctx)
			if !ok {
				g.failHost(w, r, ri, errorf(http.StatusUnauthorized, "not authenticated"))
				return
			}
			g.metered(w, r, ri, a, m, next)
		})
	}
}

// metered charges, runs next and records the action.
func (g *Gatehouse) metered(w http.ResponseWriter, r *http.Request, ri *requestInfo, a *session.Auth, m Metered, next http.Handler) {
	points := int64(1)
	if m.Points != nil {
		points = m.Points(r)
	}
	act := audit.Action{
		TraceCode: ri.trace, Time: g.now(),
		Service: m.Service, OperationID: m.Operation, MethodGroup: m.MethodGroup,
		Username: a.User.Username, Company: a.User.Company, ClientIP: g.clientIP(r),
	}
	if points < 0 {
		g.failHost(w, r, ri, errInternal(fmt.Errorf("gatehouse: %s: negative points %d", m.Operation, points)))
		return
	}
	subj, err := quota.NewSubject(a.User, a.Set)
	if err != nil {
		g.failHost(w, r, ri, errInternal(err))
		return
	}
	release, err := g.quotas.Acquire(r.Context(), subj, m.Service, m.MethodGroup, points)
	if err != nil {
		herr := quotaError(err, m)
		act.Outcome, act.Detail = "denied", herr.Message
		if herr.Status >= 500 {
			act.Outcome = "failed"
		}
		g.recordAction(r.Context(), act)
		g.failHost(w, r, ri, herr)
		return
	}
	pending := &pendingAction{}
	sw := &statusWriter{ResponseWriter: w}
	defer func() {
		release()
		p := recover()
		act.Points, act.UniquePoints = points, points
		if m.UniquePoints != nil {
			act.UniquePoints = max(m.UniquePoints(r), 0)
		}
		act.Duration = max(g.now().Sub(act.Time), 0)
		act.Attachments = pending.take()
		switch {
		case p != nil:
			act.Outcome = "panic"
		case sw.status() >= 500:
			act.Outcome = "failed"
		case sw.status() >= 400:
			act.Outcome = "rejected"
		default:
			act.Outcome = "ok"
		}
		g.recordAction(context.WithoutCancel(r.Context()), act)
		if p != nil {
			panic(p)
		}
	}()
	next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), pendingKey{}, pending)))
}

// quotaError maps the errors of quota.Enforcer.Acquire.
func quotaError(err error, m Metered) *Error {
	var ex *quota.ExceededError
	switch {
	case errors.As(err, &ex):
		return &Error{Status: http.StatusTooManyRequests, RetryAfter: ex.RetryAfter, Reason: RefusedQuota,
			Message: fmt.Sprintf("quota exceeded: %s/%s %s %d", ex.Service, ex.MethodGroup, ex.Limit, ex.Max)}
	case errors.Is(err, quota.ErrNoQuota):
		return &Error{Status: http.StatusForbidden, Reason: RefusedQuota, Message: fmt.Sprintf("no quota for %s/%s", m.Service, m.MethodGroup)}
	}
	return errUnavailable(err)
}

// recordAction writes a to the audit; a failure is logged.
func (g *Gatehouse) recordAction(ctx context.Context, a audit.Action) {
	if err := g.recorder.Record(ctx, a); err != nil {
		g.log.WarnContext(ctx, "gatehouse: audit write failed", "trace", a.TraceCode, "operation", a.OperationID, "outcome", a.Outcome, "err", err)
	}
}

type pendingKey struct{}

// pendingAction collects the attachments of the action RequireQuota will
// record.
type pendingAction struct {
	mu          sync.Mutex
	attachments []storage.Attachment
	done        bool
}

func (p *pendingAction) take() []storage.Attachment {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done = true
	return p.attachments
}

// AttachData adds data to the audit action that RequireQuota records for
// the request of ctx: what came in (storage.FlowInput) or went out
// (storage.FlowOutput) at a stage 0..storage.MaxStage, each flow and stage
// once. GET /trace/{tracecode} serves it with its ContentType. The data is
// copied. It returns ErrNoMeteredAction outside a RequireQuota handler (or
// after it returned) and an error wrapping audit.ErrInvalidAction for a bad
// flow, stage or a flow and stage given twice. Never attach secrets.
func AttachData(ctx context.Context, at storage.Attachment) error {
	p, ok := ctx.Value(pendingKey{}).(*pendingAction)
	if !ok {
		return ErrNoMeteredAction
	}
	if at.Flow != storage.FlowInput && at.Flow != storage.FlowOutput {
		return fmt.Errorf("gatehouse: attachment flow %q: %w", at.Flow, audit.ErrInvalidAction)
	}
	if at.Stage < 0 || at.Stage > storage.MaxStage {
		return fmt.Errorf("gatehouse: attachment stage %d not in 0..%d: %w", at.Stage, storage.MaxStage, audit.ErrInvalidAction)
	}
	at.Data = slices.Clone(at.Data)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done {
		return ErrNoMeteredAction
	}
	for _, o := range p.attachments {
		if o.Flow == at.Flow && o.Stage == at.Stage {
			return fmt.Errorf("gatehouse: attachment %s stage %d given twice: %w", at.Flow, at.Stage, audit.ErrInvalidAction)
		}
	}
	p.attachments = append(p.attachments, at)
	return nil
}

// statusWriter remembers the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.code == 0 && code >= 200 {
		s.code = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.code == 0 {
		s.code = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// Flush lets streaming handlers flush through the wrapper.
func (s *statusWriter) Flush() {
	if s.code == 0 {
		s.code = http.StatusOK
	}
	_ = http.NewResponseController(s.ResponseWriter).Flush()
}

// Unwrap gives http.ResponseController the underlying writer.
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

func (s *statusWriter) status() int {
	if s.code == 0 {
		return http.StatusOK
	}
	return s.code
}
