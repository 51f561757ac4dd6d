package audit

import (
	"fmt"
	"io"
)

// ReportContentType is the media type of the XLSX usage report.
const ReportContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// ReportWriter renders usage statistics as a report file (GET
// /statistics/report). Implementations must be safe for concurrent use. The
// default, an XLSX workbook, is github.com/gatehouse-go/gatehouse/report/xlsx.
type ReportWriter interface {
	// Write writes the report of stats to w.
	Write(w io.Writer, stats Statistics) error
}

// ReportWriterFunc adapts a function to a ReportWriter.
type ReportWriterFunc func(w io.Writer, stats Statistics) error

// Write calls f(w, stats).
func (f ReportWriterFunc) Write(w io.Writer, stats Statistics) error { return f(w, stats) }

// ReportFileName is the file name offered for a report of p:
// "usage_<username>_<from>_<to>.xlsx", with every character of the username
// other than A-Z, a-z, 0-9 and _ replaced by _, so the name needs no quoting.
func ReportFileName(username string, p Period) string {
	b := []byte(username)
	for i, c := range b {
		if !isWord(string(c)) {
			b[i] = '_'
		}
	}
	return fmt.Sprintf("usage_%s_%s_%s.xlsx", b, p.From.Format(DateLayout), p.To.Format(DateLayout))
}
