package quota

import (
	"errors"
	"fmt"
	"time"
)

var (
	// ErrQuotaExceeded is wrapped by every *ExceededError.
	ErrQuotaExceeded = errors.New("quota: exceeded")
	// ErrNoQuota: the user has no quota for the service and method group,
	// so no role lets them use it.
	ErrNoQuota = errors.New("quota: no quota for this service and method group")
	// ErrInvalidPoints: a negative number of points was asked for.
	ErrInvalidPoints = errors.New("quota: points must not be negative")
)

// Names of the limits, as the /quotas document spells them.
const (
	LimitPointsPerRequest       = "points_per_request"
	LimitPointsPerDay           = "points_per_day"
	LimitPointsPerDateWindow    = "points_per_date_window"
	LimitMaxConcurrentExecution = "max_concurrent_execution"
)

// ExceededError is a refusal: the request would exceed Limit of Service and
// MethodGroup.
type ExceededError struct {
	Service, MethodGroup string
	// Limit names the limit (LimitPointsPerDay, ...).
	Limit string
	// Max is the limit's value.
	Max int64
	// RetryAfter is when trying again may succeed: the end of the day or
	// window, or Config.SlotRetryAfter for concurrency. 0 means never with
	// this request (points_per_request).
	RetryAfter time.Duration
}

// Error names the limit, for example
// "quota: UNIVERSAL/PLAN: points_per_day 1500 exceeded".
func (e *ExceededError) Error() string {
	return fmt.Sprintf("quota: %s/%s: %s %d exceeded", e.Service, e.MethodGroup, e.Limit, e.Max)
}

// Unwrap returns ErrQuotaExceeded.
func (e *ExceededError) Unwrap() error { return ErrQuotaExceeded }
