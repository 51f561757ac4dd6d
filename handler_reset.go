package gatehouse

import (
	"errors"
	"net/http"

	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/user"
)

// resetAccepted is the one body of POST /password/reset: the same whether
// or not the user exists.
type resetAccepted struct {
	Message string `json:"message"`
}

const resetAcceptedMessage = "if the user exists and may reset its password, a reset token is on its way"

// servePasswordReset answers POST /password/reset {username}: 202 with the
// same body, after the same work, whether or not the user exists (the
// token is made and handed to the host's session.ResetSender after the
// answer; see session.Manager.RequestPasswordReset); 429 beyond the
// per-username and per-address limits; 501 without a sender.
func (g *Gatehouse) servePasswordReset(w http.ResponseWriter, r *http.Request, a *session.Auth) error {
	var req struct {
		Username *string `json:"username"`
	}
	if err := g.decodeJSON(r, &req); err != nil {
		return err
	}
	if req.Username == nil {
		return errorf(http.StatusBadRequest, "username: is required (required)")
	}
	if fe := user.ValidateUsername(*req.Username); fe != nil {
		return fieldError(fe, "username")
	}
	if err := g.sessions.RequestPasswordReset(r.Context(), *req.Username, g.client(r)); err != nil {
		return resetError(err)
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusAccepted, resetAccepted{Message: resetAcceptedMessage})
}

// servePasswordResetConfirm answers POST /password/reset/confirm {token,
// new_password}: sets the password, ends every session, token and API key
// of the user → 204.
func (g *Gatehouse) servePasswordResetConfirm(w http.ResponseWriter, r *http.Request, a *session.Auth) error {
	var req struct {
		Token       *string `json:"token"`
		NewPassword *string `json:"new_password"`
	}
	if err := g.decodeJSON(r, &req); err != nil {
		return err
	}
	if req.Token == nil {
		return errorf(http.StatusBadRequest, "token: is required (required)")
	}
	if req.NewPassword == nil {
		return errorf(http.StatusBadRequest, "new_password: is required (required)")
	}
	if err := g.sessions.ConfirmPasswordReset(r.Context(), *req.Token, *req.NewPassword, g.client(r)); err != nil {
		if errors.Is(err, user.ErrInvalid) {
			return fieldError(err, "new_password")
		}
		return resetError(err)
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// resetError maps the errors of the password reset methods.
func resetError(err error) error {
	switch {
	case errors.Is(err, session.ErrResetUnavailable):
		return &Error{Status: http.StatusNotImplemented, Message: "password reset is not configured on this server (session.ResetConfig.Sender)", Err: err}
	case errors.Is(err, session.ErrResetToken):
		return errorf(http.StatusBadRequest, "token: invalid or expired")
	}
	return credentialError(err, "invalid request", http.StatusBadRequest)
}
