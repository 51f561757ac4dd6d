package audit

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"

	"github.com/gatehouse-go/gatehouse/internal/randid"
	"github.com/gatehouse-go/gatehouse/storage"
)

// TraceRequest selects the data of one action for GET /trace/{tracecode}.
type TraceRequest struct {
	TraceCode string
	Flow      storage.Flow
	Stage     int
}

// ParseTraceRequest validates the trace code (a canonical lower-case UUID)
// and the parameters data_flow_type (INPUT or OUTPUT, default INPUT),
// data_flow_stage (0..3, default 0) and the deprecated data_flow_convert
// (ORIGIN, JSON or XLSX, default ORIGIN; only ORIGIN is served: gatehouse
// returns the data as it was stored).
func ParseTraceRequest(traceCode string, v url.Values) (TraceRequest, error) {
	if !randid.IsUUID(traceCode) {
		return TraceRequest{}, paramErr("tracecode", "must be a UUID such as 11111111-2222-3333-4444-555555555555")
	}
	tr := TraceRequest{TraceCode: traceCode, Flow: storage.FlowInput}
	if s, ok, err := single(v, "data_flow_type"); err != nil {
		return tr, err
	} else if ok {
		switch f := storage.Flow(s); f {
		case storage.FlowInput, storage.FlowOutput:
			tr.Flow = f
		default:
			return tr, paramErr("data_flow_type", "must be INPUT or OUTPUT")
		}
	}
	if s, ok, err := single(v, "data_flow_stage"); err != nil {
		return tr, err
	} else if ok {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > storage.MaxStage {
			return tr, paramErr("data_flow_stage", "must be an integer 0..%d", storage.MaxStage)
		}
		tr.Stage = n
	}
	if s, ok, err := single(v, "data_flow_convert"); err != nil {
		return tr, err
	} else if ok {
		switch s {
		case "ORIGIN":
		case "JSON", "XLSX":
			return tr, paramErr("data_flow_convert", "%s is deprecated and not supported; use ORIGIN", s)
		default:
			return tr, paramErr("data_flow_convert", "must be ORIGIN, JSON or XLSX")
		}
	}
	return tr, nil
}

// Trace returns the action's record (without attachment data) and the
// requested attachment, if the viewer may see the action. An action that does
// not exist, that the viewer may not see, or that has no such attachment is
// ErrNotFound; a store failure is returned wrapped.
func Trace(ctx context.Context, store storage.AuditStore, viewer Viewer, tr TraceRequest) (storage.AuditRecord, storage.Attachment, error) {
	rec, err := store.GetAudit(ctx, tr.TraceCode)
	if err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return storage.AuditRecord{}, storage.Attachment{}, ErrNotFound
		}
		return storage.AuditRecord{}, storage.Attachment{}, fmt.Errorf("audit: trace %s: %w", tr.TraceCode, err)
	}
	if !viewer.sees(rec.Username, rec.Company) {
		return storage.AuditRecord{}, storage.Attachment{}, ErrNotFound
	}
	var att storage.Attachment
	found := false
	for _, a := range rec.Attachments {
		if a.Flow == tr.Flow && a.Stage == tr.Stage {
			att, found = a, true
		}
	}
	rec.Attachments = nil
	if !found {
		return rec, storage.Attachment{}, ErrNotFound
	}
	return rec, att, nil
}
