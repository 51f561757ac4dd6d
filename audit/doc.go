// Package audit records actions — gatehouse's own security events and the
// host's operations — and answers the account service's questions about them:
// the action log (GET /audit), the data attached to one action (GET
// /trace/{tracecode}) and per-day usage statistics (GET /statistics and its
// XLSX report). It never imports net/http: the root package gatehouse turns
// its results and errors into responses.
//
// # Recording
//
// [New] returns a [Recorder] over a storage.AuditStore. [Recorder.Record]
// turns an [Action] into a storage.AuditRecord (trace code, time and server
// filled in when absent) and writes it:
//
//   - with Config.Buffer 0 (the default) it writes through, in the caller's
//     goroutine, and returns the store's error;
//   - with Config.Buffer n > 0 it queues the record in a buffer of n records
//     that one background goroutine drains. Record never waits for the store:
//     when the buffer is full it returns [ErrBufferFull] at once and counts
//     the record in [Stats].Rejected. Nothing is dropped silently: every
//     record is either written, refused to the caller, or — when the store
//     keeps failing after Config.Attempts tries — counted in Stats.Failed
//     and logged with its trace code. [Recorder.Close] stops the goroutine
//     after writing everything still buffered.
//
// # Reading
//
// A [Viewer] is who is asking. A regular user sees their own actions; a user
// with the specific permission [PermissionReadAll] ("audit_read_all"), or an
// admin, sees every action of their company; nobody sees another company's.
// [ParseQuery] validates the GET /audit parameters into a storage.AuditQuery
// that always carries the viewer's company; [NewPageDocument] renders a page.
// [Trace] returns the data attached to one visible action. Parameter errors
// are [*ParamError]s that name the parameter.
//
// # Statistics
//
// [Statistics] sums Points and UniquePoints per day, service and method group,
// with days cut in the viewer's time zone, over a [Period] from
// [StatisticsPeriod] or [ReportPeriod]. A [ReportWriter] renders them as a
// file; the XLSX writer lives in the nested module
// github.com/gatehouse-go/gatehouse/report/xlsx so that the core module does
// not depend on an XLSX library.
package audit
