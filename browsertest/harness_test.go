package browsertest

// The harness: one headless Chromium for the whole test binary (TestMain), a
// Session per user (a browser context of its own, so cookies are not
// shared), helpers that bound every browser call with a timeout and fail the
// test with a message that says what was being done, and the artifacts a
// failed test leaves behind.

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// Environment variables the harness reads.
const (
	// envBrowser names the browser executable (a path or a name on PATH).
	envBrowser = "CHROMIUM"
	// envRequire, when "1", makes a missing browser a failure, not a skip.
	envRequire = "GATEHOUSE_REQUIRE_BROWSER"
	// envArtifacts is a directory for the artifacts of failed tests.
	envArtifacts = "GATEHOUSE_ARTIFACTS"
)

// Timeouts. The whole module must stay well under two minutes, so a hung
// browser call fails its test quickly instead of eating the budget.
const (
	startTimeout = 60 * time.Second // starting the browser, or a new tab
	stepTimeout  = 20 * time.Second // one browser call (a navigation, a click, a read)
)

// browserNames are the executables looked up on PATH when $CHROMIUM is unset.
var browserNames = []string{"chromium", "chromium-browser", "google-chrome"}

// harness is the browser shared by every test of the binary.
var harness struct {
	path string          // the browser executable; "" when none was found
	err  error           // why there is no usable browser; nil when there is one
	ctx  context.Context // the browser's first tab; sessions are opened under it
	logs *limitedBuffer  // the browser's own output, shown when it fails to start
}

func TestMain(m *testing.M) {
	flag.Parse()
	stop := startBrowser()
	code := m.Run()
	stop()
	os.Exit(code)
}

// findBrowser returns the browser executable: $CHROMIUM when set (an error
// when it is not executable), else the first of browserNames on PATH. It
// returns "", nil when there is none.
func findBrowser() (string, error) {
	if name := os.Getenv(envBrowser); name != "" {
		path, err := exec.LookPath(name)
		if err != nil {
			return "", fmt.Errorf("$%s=%q: %w", envBrowser, name, err)
		}
		return path, nil
	}
	for _, name := range browserNames {
		if path, err := exec.LookPath(name); err == nil {
			return path, nil
		}
	}
	return "", nil
}

// startBrowser finds and starts the browser and fills in harness. It returns
// the func that stops it. A failure is recorded in harness.err, for every
// test to report (see requireBrowser), not raised here.
func startBrowser() (stop func()) {
	path, err := findBrowser()
	harness.path = path
	if err != nil || path == "" {
		harness.err = err
		return func() {}
	}
	harness.logs = &limitedBuffer{limit: 64 << 10}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.DisableGPU,
		chromedp.WindowSize(1280, 1000),
		chromedp.CombinedOutput(harness.logs),
	)
	if os.Geteuid() == 0 {
		// Chromium refuses to run as root with its sandbox; CI runs as root.
		opts = append(opts, chromedp.NoSandbox)
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelBrowser := chromedp.NewContext(allocCtx)
	// The first call starts the browser and ties its life to ctx, so it
	// cannot take a timeout of its own: a watchdog cancels ctx instead.
	watchdog := time.AfterFunc(startTimeout, cancelBrowser)
	err = chromedp.Do(ctx)
	if !watchdog.Stop() && err == nil {
		err = errors.New("timed out")
	}
	if err != nil {
		harness.err = fmt.Errorf("starting %s: %w\nbrowser output:\n%s", path, err, harness.logs)
		cancelBrowser()
		cancelAlloc()
		return func() {}
	}
	harness.ctx = ctx
	return func() {
		cancelBrowser()
		cancelAlloc()
	}
}

// requireBrowser skips t when no browser was found, or fails it when
// GATEHOUSE_REQUIRE_BROWSER=1. A browser that was found but did not start
// always fails t.
func requireBrowser(t testing.TB) {
	t.Helper()
	switch {
	case harness.err != nil:
		t.Fatalf("browser: %v", harness.err)
	case harness.path == "" && os.Getenv(envRequire) == "1":
		t.Fatalf("no browser: set $%s or put one of %s on PATH (%s=1 makes this a failure)",
			envBrowser, strings.Join(browserNames, ", "), envRequire)
	case harness.path == "":
		t.Skipf("no browser: set $%s or put one of %s on PATH", envBrowser, strings.Join(browserNames, ", "))
	}
}

// A Session is one person's browser: a tab in a browser context of its own,
// so its cookies (and so its login) are its own. Its methods fail the test
// on any error, after at most stepTimeout.
type Session struct {
	t    testing.TB
	name string          // names the session in messages and artifact files
	base string          // the origin relative paths are resolved against
	ctx  context.Context // the tab
}

// newSession opens a browser context and a tab in it, named name, for the
// application at base (for example an httptest server's URL). The tab is
// closed and the context disposed of when t ends; if t failed, its
// screenshot and HTML are saved first (see saveArtifacts).
func newSession(t testing.TB, name, base string) *Session {
	t.Helper()
	requireBrowser(t)
	ctx, cancel := chromedp.NewContext(harness.ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	// As in startBrowser: the first call ties the tab's life to ctx.
	watchdog := time.AfterFunc(startTimeout, cancel)
	err := chromedp.Do(ctx)
	if !watchdog.Stop() && err == nil {
		err = errors.New("timed out")
	}
	if err != nil {
		t.Fatalf("%s: opening a tab: %v", name, err)
	}
	s := &Session{t: t, name: name, base: strings.TrimSuffix(base, "/"), ctx: ctx}
	// Registered after cancel, so it runs before it, while the tab lives.
	t.Cleanup(func() {
		if t.Failed() {
			s.saveArtifacts(artifactDir(t))
		}
	})
	return s
}

// step runs f with a context limited to stepTimeout.
func (s *Session) step(f func(ctx context.Context) error) error {
	ctx, cancel := context.WithTimeout(s.ctx, stepTimeout)
	defer cancel()
	return f(ctx)
}

// fatalf fails the test, naming the session and where its tab is.
func (s *Session) fatalf(format string, args ...any) {
	s.t.Helper()
	s.t.Fatalf("%s (at %s): %s", s.name, s.location(), fmt.Sprintf(format, args...))
}

// location is the tab's URL, or why it is unknown; for messages.
func (s *Session) location() string {
	var loc string
	err := s.step(func(ctx context.Context) (err error) {
		loc, err = chromedp.Run(ctx, chromedp.Location())
		return err
	})
	if err != nil {
		return "unknown location: " + err.Error()
	}
	return loc
}

// abs resolves a path against the session's base.
func (s *Session) abs(path string) string {
	if strings.HasPrefix(path, "http://") || strings.HasPrefix(path, "https://") {
		return path
	}
	return s.base + path
}

// Open navigates to path (relative to the base, or an absolute URL), waits
// for the page to load and returns the response of its document, after
// redirects.
func (s *Session) Open(path string) *network.Response {
	s.t.Helper()
	var resp *network.Response
	err := s.step(func(ctx context.Context) (err error) {
		resp, err = chromedp.Run(ctx, chromedp.NavigateResponse(s.abs(path)))
		return err
	})
	if err == nil && resp == nil {
		err = errors.New("no response for the document")
	}
	if err != nil {
		s.fatalf("opening %s: %v", path, err)
	}
	return resp
}

// Load runs actions that navigate (a click on a submit button, a script
// that submits a form), waits for the new page to load and returns the
// response of its document, after redirects.
func (s *Session) Load(what string, actions ...chromedp.Action[chromedp.Void]) *network.Response {
	s.t.Helper()
	var resp *network.Response
	err := s.step(func(ctx context.Context) (err error) {
		resp, err = chromedp.RunResponse(ctx, actions...)
		return err
	})
	if err == nil && resp == nil {
		err = errors.New("no response for the document")
	}
	if err != nil {
		s.fatalf("%s: %v", what, err)
	}
	return resp
}

// Click clicks the element sel matches (it must be there) and waits for the
// page it leads to; it returns the response of that page's document.
func (s *Session) Click(sel string) *network.Response {
	s.t.Helper()
	s.MustHave(sel)
	return s.Load("clicking "+sel, chromedp.Click(chromedp.CSS(sel)))
}

// Type replaces the value of the field sel matches (it must be there) by
// typing value into it, key by key.
func (s *Session) Type(sel, value string) {
	s.t.Helper()
	s.MustHave(sel)
	err := s.step(func(ctx context.Context) error {
		return chromedp.Do(ctx,
			chromedp.Clear(chromedp.CSS(sel)),
			chromedp.SendKeys(chromedp.CSS(sel), value))
	})
	if err != nil {
		s.fatalf("typing into %s: %v", sel, err)
	}
}

// Check ticks the checkbox sel matches (it must be there), by a click,
// unless it is ticked already.
func (s *Session) Check(sel string) {
	s.t.Helper()
	s.MustHave(sel)
	if Eval[bool](s, fmt.Sprintf(`document.querySelector(%s).checked`, jsString(sel))) {
		return
	}
	err := s.step(func(ctx context.Context) error {
		return chromedp.Do(ctx, chromedp.Click(chromedp.CSS(sel)))
	})
	if err != nil {
		s.fatalf("clicking %s: %v", sel, err)
	}
	if !Eval[bool](s, fmt.Sprintf(`document.querySelector(%s).checked`, jsString(sel))) {
		s.fatalf("%s is not ticked after a click", sel)
	}
}

// Eval evaluates a JavaScript expression in the session's page and decodes
// its value into T.
func Eval[T any](s *Session, expr string) T {
	s.t.Helper()
	var v T
	err := s.step(func(ctx context.Context) (err error) {
		v, err = chromedp.Run(ctx, chromedp.Evaluate[T](expr))
		return err
	})
	if err != nil {
		s.fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// Count is the number of elements sel matches in the current page, now
// (it does not wait for any to appear).
func (s *Session) Count(sel string) int {
	s.t.Helper()
	return Eval[int](s, fmt.Sprintf(`document.querySelectorAll(%s).length`, jsString(sel)))
}

// MustHave fails the test unless sel matches an element of the current page.
func (s *Session) MustHave(sel string) {
	s.t.Helper()
	if s.Count(sel) == 0 {
		s.fatalf("no element matches %s", sel)
	}
}

// Text is the text of the first element sel matches (it must be there), as
// rendered (innerText), with surrounding space trimmed.
func (s *Session) Text(sel string) string {
	s.t.Helper()
	s.MustHave(sel)
	return strings.TrimSpace(Eval[string](s, fmt.Sprintf(`document.querySelector(%s).innerText`, jsString(sel))))
}

// URL is the tab's current URL.
func (s *Session) URL() *url.URL {
	s.t.Helper()
	var loc string
	err := s.step(func(ctx context.Context) (err error) {
		loc, err = chromedp.Run(ctx, chromedp.Location())
		return err
	})
	if err != nil {
		s.fatalf("reading the location: %v", err)
	}
	u, err := url.Parse(loc)
	if err != nil {
		s.fatalf("parsing the location %q: %v", loc, err)
	}
	return u
}

// saveArtifacts writes the tab's full-page screenshot (<name>.png), HTML
// (<name>.html) and URL (<name>.url) into dir and logs their paths. Errors
// are logged, not raised: it runs when the test has failed already.
func (s *Session) saveArtifacts(dir string) {
	if dir == "" {
		return
	}
	base := filepath.Join(dir, fileName(s.name))
	ctx, cancel := context.WithTimeout(s.ctx, stepTimeout)
	defer cancel()
	save := func(suffix string, data []byte, err error) {
		if err != nil {
			s.t.Logf("%s: no %s artifact: %v", s.name, suffix, err)
			return
		}
		if err := os.WriteFile(base+suffix, data, 0o644); err != nil {
			s.t.Logf("%s: writing the %s artifact: %v", s.name, suffix, err)
			return
		}
		s.t.Logf("%s: artifact %s", s.name, base+suffix)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	save(".png", png, err)
	html, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.outerHTML`))
	save(".html", []byte(html), err)
	loc, err := chromedp.Run(ctx, chromedp.Location())
	save(".url", []byte(loc+"\n"), err)
}

var artifactDirs sync.Map // testing.TB → string

// artifactDir is the directory for t's artifacts, made once per test:
// $GATEHOUSE_ARTIFACTS/<test name> when the variable is set, t.ArtifactDir()
// under go test -artifacts, else a new directory under os.TempDir() that is
// kept after the test (t.ArtifactDir() would be removed). It returns "" and
// logs why when it cannot make one.
func artifactDir(t testing.TB) string {
	if d, ok := artifactDirs.Load(t); ok {
		return d.(string)
	}
	var dir string
	var err error
	switch root := os.Getenv(envArtifacts); {
	case root != "":
		dir = filepath.Join(root, fileName(t.Name()))
		err = os.MkdirAll(dir, 0o755)
	case flagSet("test.artifacts"):
		dir = t.ArtifactDir()
	default:
		dir, err = os.MkdirTemp("", "gatehouse-browsertest-"+fileName(t.Name())+"-")
	}
	if err != nil {
		t.Logf("no directory for artifacts: %v", err)
		dir = ""
	}
	artifactDirs.Store(t, dir)
	return dir
}

// flagSet reports whether the boolean flag name is set to true.
func flagSet(name string) bool {
	f := flag.Lookup(name)
	return f != nil && f.Value.String() == "true"
}

// fileName makes s usable as a file name: test names carry slashes.
func fileName(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '_'
	}, s)
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x2028 || r == 0x2029:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// limitedBuffer keeps the first limit bytes written to it, safely for
// concurrent writers; it takes the browser's output.
type limitedBuffer struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	limit int
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if room := b.limit - b.buf.Len(); room > 0 {
		b.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func (b *limitedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
