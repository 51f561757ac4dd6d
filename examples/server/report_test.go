package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
)

// TestDemoServesTheXLSXReport: the demo plugs report/xlsx into gatehouse,
// so GET /statistics/report is a workbook that excelize opens.
func TestDemoServesTheXLSXReport(t *testing.T) {
	base := start(t)
	resp, err := http.Post(base+"/token", "application/json",
		strings.NewReader(`{"username":"alice","password":"alice-demo-password"}`))
	require.NoError(t, err)
	var tok string
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&tok))
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)

	req, err := http.NewRequest(http.MethodGet, base+"/statistics/report?from=2024-02-01&to=2024-02-05", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", resp.Header.Get("Content-Type"))
	assert.Equal(t, "attachment; filename=usage_alice_2024-02-01_2024-02-05.xlsx", resp.Header.Get("Content-Disposition"))

	f, err := excelize.OpenReader(resp.Body)
	require.NoError(t, err)
	defer f.Close()
	rows, err := f.GetRows("Usage")
	require.NoError(t, err)
	require.NotEmpty(t, rows)
	assert.Contains(t, strings.Join(rows[0], " "), "alice")
	var days []string
	for _, r := range rows[2:] {
		days = append(days, r[0])
	}
	assert.Equal(t, []string{"2024-02-01", "2024-02-02", "2024-02-03", "2024-02-04", "2024-02-05"}, days)
}
