package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestGenerate runs the generator for 200 ms against the bare handler and
// gatehouse on its memory store: every answer is 200 with the expected
// body, and both bodies are gatehouse's document.
func TestGenerate(t *testing.T) {
	e := newEnv()
	t.Cleanup(e.close)
	ctx := context.Background()
	for _, name := range []string{"bare", "gatehouse/memory"} {
		t.Run(name, func(t *testing.T) {
			i := slices.IndexFunc(targets, func(t target) bool { return t.name == name })
			req, err := targets[i].start(ctx, e)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(req.body, []byte(`"`+loadUser.Username+`"`)) {
				t.Fatalf("the expected body is not alice's session document: %.200q", req.body)
			}
			res, err := generate(req, 4, 200*time.Millisecond, nil)
			if err != nil {
				t.Fatal(err)
			}
			if res.bad > 0 || res.ok == 0 {
				t.Fatalf("%d served, %d bad; the first: %v", res.ok, res.bad, res.firstErr)
			}
			if len(res.latencies) != res.ok || res.rps() <= 0 {
				t.Errorf("%d latencies of %d requests, %.0f req/s", len(res.latencies), res.ok, res.rps())
			}
			t.Logf("%d requests, %.0f req/s", res.ok, res.rps())
		})
	}
	// a wrong expectation is counted, not served
	req, err := startBare(ctx, e)
	if err != nil {
		t.Fatal(err)
	}
	req.body = append(slices.Clone(req.body), 'x')
	res, err := generate(req, 1, 20*time.Millisecond, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.ok != 0 || res.bad == 0 {
		t.Errorf("wrong body: %d served, %d bad", res.ok, res.bad)
	}
}

// TestReadResponse covers the parser's framings: Content-Length, chunked
// with a trailer, Connection: close, a 204, and a body to EOF.
func TestReadResponse(t *testing.T) {
	for _, c := range []struct {
		name, wire, body string
		status           int
		keep             bool
	}{
		{"length", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", "hello", 200, true},
		{"chunked", "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n6;x=1\r\n world\r\n0\r\nX-T: 1\r\n\r\n", "hello world", 200, true},
		{"close", "HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 2\r\n\r\nno", "no", 401, false},
		{"no content", "HTTP/1.1 204 No Content\r\n\r\n", "", 204, true},
		{"to EOF", "HTTP/1.0 200 OK\r\n\r\nrest", "rest", 200, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			next := ""
			if c.keep { // the next response follows on the connection
				next = "HTTP/1.1 200 OK\r\n"
			}
			br := bufio.NewReader(strings.NewReader(c.wire + next))
			status, body, keep, err := readResponse(br, nil)
			if err != nil || status != c.status || string(body) != c.body || keep != c.keep {
				t.Errorf("got %d %q keep=%v err=%v", status, body, keep, err)
			}
			if rest, _ := io.ReadAll(br); string(rest) != next {
				t.Errorf("read past the response: %q left", rest)
			}
		})
	}
	if _, _, _, err := readResponse(bufio.NewReader(strings.NewReader("SSH-2.0\r\n")), nil); err == nil {
		t.Error("no error for a non-HTTP answer")
	}
}

// TestRevocationLag runs a few trials of the revocation-lag measurement on
// PostgreSQL (GATEHOUSE_TEST_POSTGRES), under light load, in the strict
// mode (B refuses the cookie once A's logout has answered) and in the
// cached mode (B refuses it within the trial's timeout).
func TestRevocationLag(t *testing.T) {
	e := newEnv()
	if e.pgDSN == "" {
		if os.Getenv("GATEHOUSE_REQUIRE_INTEGRATION") == "1" {
			t.Fatal("GATEHOUSE_TEST_POSTGRES is not set, and GATEHOUSE_REQUIRE_INTEGRATION=1 forbids skipping")
		}
		t.Skip("set GATEHOUSE_TEST_POSTGRES to run this against a real server")
	}
	for _, cached := range []bool{false, true} {
		t.Run(map[bool]string{false: "strict", true: "cached"}[cached], func(t *testing.T) {
			t.Parallel()
			e := newEnv()
			t.Cleanup(e.close)
			r, err := measureLag(context.Background(), e, lagOptions{kind: "postgres", trials: 3, conns: 2, cached: cached, timeout: 5 * time.Second, settle: 50 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			if len(r.lags) != 3 || r.load[0].ok == 0 || r.load[1].ok == 0 {
				t.Fatalf("%d lags; load served on A %d, on B %d", len(r.lags), r.load[0].ok, r.load[1].ok)
			}
			if r.stale > 0 && !cached {
				t.Errorf("strict mode: B accepted a logged-out cookie %d times", r.stale)
			}
			t.Logf("lags %v, %d stale accepts", r.lags, r.stale)
		})
	}
}
