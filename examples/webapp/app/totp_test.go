package app_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse/totp"
)

// beginTOTP begins an enrolment from the account page and returns the
// secret it shows.
func beginTOTP(t *testing.T, b *browser) []byte {
	t.Helper()
	p := b.get("/account")
	require.Equal(t, http.StatusOK, p.status, p.body)
	require.Equal(t, 1, p.count("#two-factor form#totp-begin"), p.body)
	assert.Zero(t, p.count("form#totp-disable"))
	assert.Equal(t, "/account/totp", p.attr("form#totp-begin", "action"))

	p = b.post("/account/totp", nil)
	require.Equal(t, http.StatusOK, p.status, p.body)
	secret := p.text("#totp-secret")
	assert.Contains(t, p.text("#totp-uri"), "otpauth://totp/")
	assert.Contains(t, p.text("#totp-uri"), "secret="+secret)
	assert.Equal(t, "/account/totp/confirm", p.attr("form#totp-confirm", "action"))
	assert.Equal(t, 1, p.count("form#totp-confirm input[name=code]"))
	key, err := totp.DecodeSecret(secret)
	require.NoError(t, err)
	return key
}

func TestTOTPEnrolmentAndLogin(t *testing.T) {
	e := start(t, nil)
	a := e.loggedIn(t, "carol")
	key := beginTOTP(t, a)

	step := totp.Step(time.Now())
	p := a.post("/account/totp/confirm", url.Values{"code": {totp.Code(key, step)}})
	require.Equal(t, http.StatusOK, p.status, p.body)
	assert.Len(t, p.all("ul#recovery-codes li"), 10, "the recovery codes, shown once")
	assert.Contains(t, p.text("#two-factor"), "Store them somewhere safe")
	assert.Equal(t, 1, p.count("form#totp-disable input[name=password]"))
	assert.Zero(t, p.count("form#totp-begin"))

	p = a.get("/account")
	assert.Zero(t, p.count("ul#recovery-codes"), "never shown again")
	assert.Equal(t, 1, p.count("form#totp-disable"), "two-factor login is on")
	assert.Zero(t, p.count("form#totp-begin"))

	// The login form has the optional code field.
	b := e.browser(t)
	p = b.get("/login")
	assert.Equal(t, "one-time-code", p.attr("form#login input[name=otp]", "autocomplete"))

	// Without a code: back to the login page with an error.
	p = b.post("/auth/login", url.Values{"username": {"carol"}, "password": {passwords["carol"]}, "otp": {""}, "next": {"/account"}, "submit": {"login"}})
	require.Equal(t, http.StatusSeeOther, p.status, p.body)
	require.Equal(t, "/login?error=invalid&next=%2Faccount", p.location)
	p = b.get(p.location)
	assert.NotEmpty(t, p.text("#login-error"))
	assert.Zero(t, p.count("#whoami"), "not logged in")

	// With a code (of the next step: the confirm's step is spent): lands on
	// the page.
	p = b.post("/auth/login", url.Values{"username": {"carol"}, "password": {passwords["carol"]}, "otp": {totp.Code(key, step+1)}, "next": {"/account"}, "submit": {"login"}})
	require.Equal(t, http.StatusSeeOther, p.status, p.body)
	require.Equal(t, "/account", p.location)
	p = b.get("/account")
	require.Equal(t, http.StatusOK, p.status, p.body)
	assert.Equal(t, "carol", p.text("#whoami"))

	// Beginning again while enabled is refused in words.
	p = b.post("/account/totp", nil)
	assert.Equal(t, http.StatusConflict, p.status)
	assert.Contains(t, p.text("#flash"), "already on")

	// Turning it off needs the password.
	p = b.post("/account/totp/disable", url.Values{"password": {"wrong-password"}})
	assert.Equal(t, http.StatusForbidden, p.status)
	assert.Contains(t, p.text("#flash"), "password is wrong")
	p = b.post("/account/totp/disable", url.Values{"password": {passwords["carol"]}})
	require.Equal(t, http.StatusSeeOther, p.status, p.body)
	p = b.get(p.location)
	assert.Contains(t, p.text("#flash"), "off")
	assert.Equal(t, 1, p.count("form#totp-begin"))
	e.browser(t).login("carol", passwords["carol"])
}

func TestTOTPWrongConfirmCodeEnablesNothing(t *testing.T) {
	e := start(t, nil)
	a := e.loggedIn(t, "alice")

	p := a.post("/account/totp/confirm", url.Values{"code": {"123456"}})
	assert.Equal(t, http.StatusConflict, p.status)
	assert.Contains(t, p.text("#flash"), "no two-factor set-up in progress")

	key := beginTOTP(t, a)
	wrong := "000000"
	for _, c := range []string{"000000", "111111"} {
		if _, ok := totp.Match(key, c, time.Now(), 2); !ok {
			wrong = c
			break
		}
	}
	p = a.post("/account/totp/confirm", url.Values{"code": {wrong}})
	assert.Equal(t, http.StatusBadRequest, p.status)
	assert.Contains(t, p.text("#flash"), "That code is wrong")
	assert.Equal(t, "error", attrOf(p.one("#flash"), "class")[len("flash "):])
	assert.Zero(t, p.count("ul#recovery-codes"))
	assert.Zero(t, p.count("form#totp-disable"), "not enabled")
	assert.Equal(t, 1, p.count("form#totp-confirm"), "the pending set-up may still be confirmed")

	// A new browser logs in with the password alone.
	e.browser(t).login("alice", passwords["alice"])
}
