package gatehouse

import (
	"errors"
	"net/http"

	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/user"
)

// totpEnrolment is the answer of POST /mfa/totp.
type totpEnrolment struct {
	Secret     string `json:"secret"`
	OTPAuthURI string `json:"otpauth_uri"`
}

// serveTOTPBegin answers POST /mfa/totp: a new pending TOTP secret for the
// caller, {secret, otpauth_uri}, which POST /mfa/totp/confirm enables. 409
// while TOTP is enabled; 501 without session.MFAConfig.Key.
func (g *Gatehouse) serveTOTPBegin(w http.ResponseWriter, r *http.Request, a *session.Auth) error {
	if err := g.decodeOptionalEmpty(r); err != nil {
		return err
	}
	e, err := g.sessions.BeginTOTP(r.Context(), a, g.client(r))
	if err != nil {
		return mfaError(err)
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusOK, totpEnrolment{Secret: e.Secret, OTPAuthURI: e.URI})
}

// decodeOptionalEmpty accepts an empty body or an empty JSON object.
func (g *Gatehouse) decodeOptionalEmpty(r *http.Request) error {
	if r.ContentLength == 0 {
		return nil
	}
	var empty struct{}
	return g.decodeJSON(r, &empty)
}

// serveTOTPConfirm answers POST /mfa/totp/confirm {code}: enables the
// pending secret when code matches it and returns the recovery codes,
// {recovery_codes}, shown this once.
func (g *Gatehouse) serveTOTPConfirm(w http.ResponseWriter, r *http.Request, a *session.Auth) error {
	var req struct {
		Code *string `json:"code"`
	}
	if err := g.decodeJSON(r, &req); err != nil {
		return err
	}
	if req.Code == nil {
		return errorf(http.StatusBadRequest, "code: is required (required)")
	}
	codes, err := g.sessions.ConfirmTOTP(r.Context(), a, *req.Code, g.client(r))
	if err != nil {
		return mfaError(err)
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusOK, struct {
		RecoveryCodes []string `json:"recovery_codes"`
	}{codes})
}

// serveTOTPDisable answers DELETE /mfa/totp {password}: removes the
// caller's second factor after checking the password (throttled like a
// login) → 204.
func (g *Gatehouse) serveTOTPDisable(w http.ResponseWriter, r *http.Request, a *session.Auth) error {
	var req struct {
		Password *string `json:"password"`
	}
	if err := g.decodeJSON(r, &req); err != nil {
		return err
	}
	if req.Password == nil {
		return errorf(http.StatusBadRequest, "password: is required (required)")
	}
	if err := user.ValidatePassword(*req.Password); err != nil {
		return fieldError(err, "password")
	}
	if err := g.sessions.DisableTOTP(r.Context(), a, *req.Password, g.client(r)); err != nil {
		if errors.Is(err, session.ErrInvalidCredentials) {
			return errorf(http.StatusForbidden, "password: wrong password")
		}
		return mfaError(err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// mfaError maps the errors of the TOTP methods.
func mfaError(err error) error {
	switch {
	case errors.Is(err, session.ErrMFAUnavailable):
		return &Error{Status: http.StatusNotImplemented, Message: "two-factor login is not configured on this server (session.MFAConfig.Key)", Err: err}
	case errors.Is(err, session.ErrMFAEnabled):
		return errorf(http.StatusConflict, "two-factor login is already enabled; disable it first")
	case errors.Is(err, session.ErrNoEnrolment):
		return errorf(http.StatusConflict, "no pending two-factor enrolment; POST /mfa/totp first")
	case errors.Is(err, session.ErrInvalidCode):
		return errorf(http.StatusBadRequest, "code: wrong one-time code")
	case errors.Is(err, session.ErrConflict):
		return &Error{Status: http.StatusConflict, Message: "concurrent update; retry", Err: err}
	}
	return credentialError(err, "invalid password", http.StatusForbidden)
}
