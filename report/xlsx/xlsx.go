// Package xlsx writes gatehouse usage statistics as an XLSX workbook, the
// GET /statistics/report file of the account service. It is the default
// audit.ReportWriter and lives in its own module so that the core module
// does not depend on github.com/xuri/excelize/v2.
//
// The workbook has one sheet, "Usage": a title row naming the user and the
// period, a header row, and one row per day, service and method group with
// the day's unique points and points — the numbers of GET /statistics. Days
// without usage get one row with empty service and zero points, so every day
// of the period is in the file.
package xlsx

import (
	"fmt"
	"io"

	"github.com/gatehouse-go/gatehouse/audit"
	"github.com/xuri/excelize/v2"
)

// SheetName is the name of the workbook's only sheet.
const SheetName = "Usage"

// Header is the header row, on row 2.
var header = []any{"Date", "Service", "Method group", "Unique points per day", "Points per day"}

// Writer writes XLSX usage reports. Its zero value is ready to use and safe
// for concurrent use.
type Writer struct{}

var _ audit.ReportWriter = Writer{}

// New returns a Writer.
func New() Writer { return Writer{} }

// Write writes stats to w as an XLSX workbook.
func (Writer) Write(w io.Writer, stats audit.Statistics) (err error) {
	f := excelize.NewFile()
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("xlsx: %w", cerr)
		}
	}()
	if err := f.SetSheetName("Sheet1", SheetName); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	title := "Usage of " + stats.Username
	if n := len(stats.Dates); n > 0 {
		title += fmt.Sprintf(", %s to %s", stats.Dates[0].Date, stats.Dates[n-1].Date)
	}
	sw, err := f.NewStreamWriter(SheetName)
	if err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	if err := sw.SetColWidth(1, 3, 18); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	if err := sw.SetColWidth(4, 5, 22); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	row := 1
	put := func(values ...any) error {
		cell, err := excelize.CoordinatesToCellName(1, row)
		if err != nil {
			return err
		}
		row++
		return sw.SetRow(cell, values)
	}
	if err := put(title); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	if err := put(header...); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	for _, d := range stats.Dates {
		if len(d.Services) == 0 {
			if err := put(d.Date, "", "", int64(0), int64(0)); err != nil {
				return fmt.Errorf("xlsx: %w", err)
			}
			continue
		}
		for _, s := range d.Services {
			for _, m := range s.Methods {
				if err := put(d.Date, s.Service, m.MethodGroup, m.UniquePointsPerDay, m.PointsPerDay); err != nil {
					return fmt.Errorf("xlsx: %w", err)
				}
			}
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("xlsx: write: %w", err)
	}
	return nil
}
