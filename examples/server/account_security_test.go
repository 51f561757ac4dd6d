package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse/totp"
)

// logBuffer collects the server's log lines.
type logBuffer struct {
	mu    sync.Mutex
	lines []string
}

func (b *logBuffer) find(re *regexp.Regexp) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, l := range b.lines {
		if m := re.FindStringSubmatch(l); m != nil {
			return m
		}
	}
	return nil
}

// serveLogged runs the demo with its log collected.
func serveLogged(t *testing.T) (string, *logBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, outw := io.Pipe()
	logr, logw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-bcrypt-cost", "10"}, outw, logw)
		outw.Close()
		logw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			t.Error("server did not stop")
		}
	})
	buf := &logBuffer{}
	go func() {
		s := bufio.NewScanner(logr)
		for s.Scan() {
			buf.mu.Lock()
			buf.lines = append(buf.lines, s.Text())
			buf.mu.Unlock()
		}
	}()
	apiLine := regexp.MustCompile(`^gatehouse demo .* on (http://\S+)`)
	lines := bufio.NewScanner(out)
	base := ""
	for base == "" && lines.Scan() {
		if m := apiLine.FindStringSubmatch(lines.Text()); m != nil {
			base = m[1]
		}
	}
	require.NotEmpty(t, base)
	go io.Copy(io.Discard, out)
	return base, buf
}

func post(t *testing.T, url, body string) (int, string) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// TestDemoTwoFactorUser: carol, of the demo data, logs in with the secret
// the README prints.
func TestDemoTwoFactorUser(t *testing.T) {
	base, _ := serveLogged(t)
	status, body := post(t, base+"/token", `{"username":"carol","password":"carol-demo-password"}`)
	require.Equal(t, http.StatusUnauthorized, status)
	assert.Contains(t, body, "one-time code required")
	key, err := totp.DecodeSecret(DemoTOTPSecret)
	require.NoError(t, err)
	status, body = post(t, base+"/token", `{"username":"carol","password":"carol-demo-password","otp":"`+totp.Code(key, totp.Step(time.Now()))+`"}`)
	require.Equal(t, http.StatusOK, status, body)
}

// TestDemoLogsResetTokens: the demo's reset hook writes reset_token=<token>
// to its log, and the token sets a new password.
func TestDemoLogsResetTokens(t *testing.T) {
	base, logs := serveLogged(t)
	status, known := post(t, base+"/password/reset", `{"username":"alice"}`)
	require.Equal(t, http.StatusAccepted, status)
	status, unknown := post(t, base+"/password/reset", `{"username":"nobody"}`)
	require.Equal(t, http.StatusAccepted, status)
	assert.Equal(t, known, unknown)
	re := regexp.MustCompile(`reset_token=([A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43})`)
	var m []string
	for deadline := time.Now().Add(10 * time.Second); m == nil && time.Now().Before(deadline); {
		if m = logs.find(re); m == nil {
			time.Sleep(20 * time.Millisecond)
		}
	}
	require.NotNil(t, m, "no reset_token in the log")
	status, body := post(t, base+"/password/reset/confirm", `{"token":"`+m[1]+`","new_password":"alice-new-password"}`)
	require.Equal(t, http.StatusNoContent, status, body)
	status, body = post(t, base+"/token", `{"username":"alice","password":"alice-new-password"}`)
	require.Equal(t, http.StatusOK, status, body)
	var tok string
	require.NoError(t, json.Unmarshal([]byte(body), &tok))
}
