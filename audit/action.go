package audit

import (
	"fmt"
	"time"

	"github.com/gatehouse-go/gatehouse/storage"
)

// Action is one thing that happened, as the host (or gatehouse) reports it
// to [Recorder.Record].
type Action struct {
	// TraceCode is the action's id, a UUID; empty means a new one. Hosts
	// pass gatehouse.TraceCode(ctx) to tie the action to its request.
	TraceCode string
	// Time is when the action happened; zero means the recorder's clock.
	Time time.Time
	// Service, OperationID and MethodGroup say what was done (the account
	// service's service_name, operation_id and method_group). OperationID is
	// required.
	Service     string
	OperationID string
	MethodGroup string
	// Points and UniquePoints are the usage the action counts for in the
	// statistics; not negative.
	Points       int64
	UniquePoints int64
	// Duration is how long it took; not negative.
	Duration time.Duration
	// Outcome is a short word: "ok", "denied", "failed", ...
	Outcome string
	// Username and Company say who did it. An action without a Company is
	// stored but never listed by a query, which always names a company.
	Username string
	Company  string
	// ClientIP is where the request came from, when known.
	ClientIP string
	// Detail is a free-text note. Never put a secret in it.
	Detail string
	// Attachments are the data that went in (storage.FlowInput) or came out
	// (storage.FlowOutput) at each stage 0..storage.MaxStage, each flow and
	// stage at most once.
	Attachments []storage.Attachment
}

// validate checks what a store would refuse, so that the caller hears of it
// before the record is queued.
func (a *Action) validate() error {
	switch {
	case a.OperationID == "":
		return fmt.Errorf("%w: empty operation id", ErrInvalidAction)
	case a.Points < 0 || a.UniquePoints < 0:
		return fmt.Errorf("%w: negative points", ErrInvalidAction)
	case a.Duration < 0:
		return fmt.Errorf("%w: negative duration", ErrInvalidAction)
	}
	type key struct {
		flow  storage.Flow
		stage int
	}
	seen := make(map[key]bool, len(a.Attachments))
	for _, at := range a.Attachments {
		if at.Flow != storage.FlowInput && at.Flow != storage.FlowOutput {
			return fmt.Errorf("%w: attachment flow %q: must be INPUT or OUTPUT", ErrInvalidAction, at.Flow)
		}
		if at.Stage < 0 || at.Stage > storage.MaxStage {
			return fmt.Errorf("%w: attachment stage %d: must be 0..%d", ErrInvalidAction, at.Stage, storage.MaxStage)
		}
		k := key{at.Flow, at.Stage}
		if seen[k] {
			return fmt.Errorf("%w: attachment %s stage %d given twice", ErrInvalidAction, at.Flow, at.Stage)
		}
		seen[k] = true
	}
	return nil
}

// record builds the stored record; the attachments' data is copied.
func (a *Action) record(server string) storage.AuditRecord {
	r := storage.AuditRecord{
		TraceCode:    a.TraceCode,
		Time:         a.Time.UTC(),
		Username:     a.Username,
		Company:      a.Company,
		Server:       server,
		Service:      a.Service,
		OperationID:  a.OperationID,
		MethodGroup:  a.MethodGroup,
		Points:       a.Points,
		UniquePoints: a.UniquePoints,
		Duration:     a.Duration,
		Outcome:      a.Outcome,
		ClientIP:     a.ClientIP,
		Detail:       a.Detail,
		Attachments:  a.Attachments,
	}
	return r.Clone()
}
