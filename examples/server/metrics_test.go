package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// serveMetrics runs the server with -metrics on free loopback ports and
// returns the API's and the metrics endpoint's URLs.
func serveMetrics(t *testing.T) (api, metrics string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-bcrypt-cost", "10", "-metrics", "127.0.0.1:0"}, pw, io.Discard)
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			assert.Equal(t, 0, code, "a clean shutdown exits 0")
		case <-time.After(15 * time.Second):
			t.Error("server did not stop")
		}
	})
	apiLine := regexp.MustCompile(`^gatehouse demo .* on (http://\S+)`)
	metricsLine := regexp.MustCompile(`^metrics \(Prometheus text\) on (http://\S+)`)
	lines := bufio.NewScanner(pr)
	for (api == "" || metrics == "") && lines.Scan() {
		if m := apiLine.FindStringSubmatch(lines.Text()); m != nil {
			api = m[1]
		}
		if m := metricsLine.FindStringSubmatch(lines.Text()); m != nil {
			metrics = m[1]
		}
	}
	require.NotEmpty(t, api)
	require.NotEmpty(t, metrics)
	go io.Copy(io.Discard, pr)
	return api, metrics
}

// scrape returns the Prometheus text of the metrics endpoint.
func scrape(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(body)
}

// value returns the value of the sample of metric name whose labels
// include every one of labels (0 when there is none).
func value(t *testing.T, text, name string, labels ...string) float64 {
	t.Helper()
	for _, line := range strings.Split(text, "\n") {
		if !strings.HasPrefix(line, name+"{") && !strings.HasPrefix(line, name+" ") {
			continue
		}
		ok := true
		for _, l := range labels {
			ok = ok && strings.Contains(line, l)
		}
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
		require.NoError(t, err, line)
		return v
	}
	return 0
}

func TestDemoMetricsMoveAfterAFailedLogin(t *testing.T) {
	api, metrics := serveMetrics(t)
	invalid := `gatehouse_login_outcome="invalid"`
	before := scrape(t, metrics)
	assert.Zero(t, value(t, before, "gatehouse_login_attempts_total", invalid))

	resp, err := http.Post(api+"/token", "application/json",
		strings.NewReader(`{"username":"admin","password":"not-the-password"}`))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)

	after := scrape(t, metrics)
	assert.Equal(t, 1.0, value(t, after, "gatehouse_login_attempts_total", invalid))
	assert.Equal(t, 1.0, value(t, after, "gatehouse_login_duration_seconds_count", invalid))
	assert.Positive(t, value(t, after, "gatehouse_store_duration_seconds_count",
		`gatehouse_store_operation="users.GetUserByUsername"`, `gatehouse_store_result="ok"`))
	assert.NotContains(t, after, "not-the-password")
	assert.NotContains(t, after, `"admin"`)
	for _, line := range strings.Split(after, "\n") {
		if line != "" && !strings.HasPrefix(line, "#") {
			assert.True(t, strings.HasPrefix(line, "gatehouse_"), line)
		}
	}
}
