package audit

import (
	"errors"
	"fmt"
)

var (
	// ErrBufferFull is returned by Recorder.Record when the write buffer is
	// full: the record was not stored and was counted in Stats.Rejected.
	ErrBufferFull = errors.New("audit: write buffer full")
	// ErrClosed is returned by Recorder.Record after Close.
	ErrClosed = errors.New("audit: recorder closed")
	// ErrInvalidAction is wrapped by Record for an action it cannot store.
	ErrInvalidAction = errors.New("audit: invalid action")
	// ErrInvalidParam is wrapped by every *ParamError.
	ErrInvalidParam = errors.New("audit: invalid parameter")
	// ErrNotFound: the action does not exist, is not visible to the
	// viewer, or has no attachment for that flow and stage. The three are
	// one error so that a caller cannot probe for other users' actions.
	ErrNotFound = errors.New("audit: not found")
	// ErrNoCompany: the viewer has no company, so nothing can be shown.
	ErrNoCompany = errors.New("audit: viewer has no company")
)

// ParamError is a request parameter that is missing its rules: Param names
// it as the API does (for example "limit"), Reason says which rule it broke.
type ParamError struct {
	Param  string
	Reason string
}

// Error returns "audit: <param>: <reason>".
func (e *ParamError) Error() string {
	return fmt.Sprintf("audit: %s: %s", e.Param, e.Reason)
}

// Unwrap returns ErrInvalidParam.
func (e *ParamError) Unwrap() error { return ErrInvalidParam }

func paramErr(param, format string, args ...any) *ParamError {
	return &ParamError{Param: param, Reason: fmt.Sprintf(format, args...)}
}
