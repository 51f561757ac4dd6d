package totp_test

import (
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/totp"
)

func TestSecretAndURI(t *testing.T) {
	s, err := totp.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	key, err := totp.DecodeSecret(s)
	if err != nil || len(key) != totp.SecretSize || len(s) != 32 {
		t.Fatalf("secret %q: %d bytes, %v", s, len(key), err)
	}
	if _, err := totp.DecodeSecret(strings.ToLower(s)); err != nil {
		t.Errorf("lower case secret refused: %v", err)
	}
	for _, bad := range []string{"", "ABC", "not base32!", "AAAAAAAAAAAAAAAAAAAAAAAA"} {
		if _, err := totp.DecodeSecret(bad); err == nil {
			t.Errorf("DecodeSecret(%q) accepted", bad)
		}
	}
	u, err := url.Parse(totp.URI("gatehouse demo", "ann@acme", s))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if u.Scheme != "otpauth" || u.Host != "totp" || q.Get("secret") != s || q.Get("issuer") != "gatehouse demo" ||
		q.Get("algorithm") != "SHA1" || q.Get("digits") != "6" || q.Get("period") != "30" {
		t.Errorf("uri %s", u)
	}
	if p, _ := url.PathUnescape(u.EscapedPath()); p != "/gatehouse demo:ann@acme" {
		t.Errorf("label %q", p)
	}
}

func TestMatch(t *testing.T) {
	key := []byte("12345678901234567890")
	now := time.Unix(1111111111, 0)
	step := totp.Step(now)
	cases := []struct {
		name string
		code string
		skew int
		ok   bool
		step int64
	}{
		{"current step", totp.Code(key, step), 1, true, step},
		{"one step behind", totp.Code(key, step-1), 1, true, step - 1},
		{"one step ahead", totp.Code(key, step+1), 1, true, step + 1},
		{"two steps behind", totp.Code(key, step-2), 1, false, 0},
		{"two steps ahead", totp.Code(key, step+2), 1, false, 0},
		{"behind without skew", totp.Code(key, step-1), 0, false, 0},
		{"empty", "", 1, false, 0},
		{"five digits", totp.Code(key, step)[1:], 1, false, 0},
		{"seven digits", totp.Code(key, step) + "0", 1, false, 0},
		{"not digits", "12a456", 1, false, 0},
		{"spaces", " 050471", 1, false, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := totp.Match(key, c.code, now, c.skew)
			if ok != c.ok || (ok && got != c.step) {
				t.Errorf("Match(%q) = %d, %v; want %d, %v", c.code, got, ok, c.step, c.ok)
			}
		})
	}
}

// TestOathtool checks codes against an independent implementation, Debian's
// oathtool (oath-toolkit), reading the secret as an app reads it from the
// URI. Without oathtool the test is skipped, unless
// GATEHOUSE_REQUIRE_INTEGRATION=1.
func TestOathtool(t *testing.T) {
	path, err := exec.LookPath("oathtool")
	if err != nil {
		if os.Getenv("GATEHOUSE_REQUIRE_INTEGRATION") == "1" {
			t.Fatal("oathtool not found and GATEHOUSE_REQUIRE_INTEGRATION=1")
		}
		t.Skip("oathtool not found (Debian package oathtool)")
	}
	for range 5 {
		s, err := totp.NewSecret()
		if err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse(totp.URI("gatehouse", "ann", s))
		secret := u.Query().Get("secret")
		key, err := totp.DecodeSecret(secret)
		if err != nil {
			t.Fatal(err)
		}
		for _, at := range []time.Time{time.Unix(59, 0), time.Unix(1234567890, 0), time.Date(2026, 12, 1, 23, 0, 0, 0, time.UTC)} {
			out, err := exec.Command(path, "--totp", "-b", "-N", "@"+strconv.FormatInt(at.Unix(), 10), secret).Output()
			if err != nil {
				t.Fatalf("oathtool: %v", err)
			}
			want := strings.TrimSpace(string(out))
			if got := totp.Code(key, totp.Step(at)); got != want {
				t.Errorf("secret %s at %v: ours %s, oathtool %s", secret, at, got, want)
			}
			if _, ok := totp.Match(key, want, at, 0); !ok {
				t.Errorf("oathtool's code %s does not match", want)
			}
		}
	}
}
