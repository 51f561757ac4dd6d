package session

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/gatehouse-go/gatehouse/audit"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/totp"
	"github.com/gatehouse-go/gatehouse/user"
)

// MFAConfig configures TOTP second factors (RFC 6238, package totp).
type MFAConfig struct {
	// Key encrypts the TOTP secrets at rest (AES-256-GCM, bound to the
	// user's id): 32 random bytes the host keeps apart from the database,
	// so that a dump of the store does not hand out second factors.
	// Without it, enrolment answers ErrMFAUnavailable (HTTP 501), and a
	// login of a user who enrolled under a key needs a recovery code.
	// Changing the key makes every enrolled secret unreadable.
	Key []byte
	// Issuer names the service in the otpauth:// URI (what an
	// authenticator app shows); empty means Config.Service.
	Issuer string
	// Skew is how many 30-second steps either side of now a code may
	// belong to; zero means 1, negative means 0.
	Skew int
}

// RecoveryCodes is how many recovery codes ConfirmTOTP returns.
const RecoveryCodes = 10

// TOTPEnrolment is a pending enrolment: the secret for the user's
// authenticator app, in base32 and as an otpauth:// URI (for a QR code).
type TOTPEnrolment struct {
	Secret string
	URI    string
}

// sealPrefix marks the version of the sealed secret's format:
// "v1." + base64url(nonce ‖ AES-256-GCM(secret, additional data = user id)).
const sealPrefix = "v1."

func (m *Manager) aead() (cipher.AEAD, error) {
	if len(m.cfg.MFA.Key) == 0 {
		return nil, ErrMFAUnavailable
	}
	b, err := aes.NewCipher(m.cfg.MFA.Key)
	if err != nil {
		return nil, fmt.Errorf("%w: MFA key: %w", ErrConfig, err)
	}
	return cipher.NewGCM(b)
}

// seal encrypts secret for the user userID.
func (m *Manager) seal(userID, secret string) (string, error) {
	g, err := m.aead()
	if err != nil {
		return "", err
	}
	nonce := make([]byte, g.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("session: random: %w", err)
	}
	out := g.Seal(nonce, nonce, []byte(secret), []byte(userID))
	return sealPrefix + base64.RawURLEncoding.EncodeToString(out), nil
}

// open decrypts the sealed secret of the user userID and decodes it.
func (m *Manager) openSecret(userID, sealed string) ([]byte, error) {
	g, err := m.aead()
	if err != nil {
		return nil, err
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(sealed, sealPrefix))
	if !strings.HasPrefix(sealed, sealPrefix) || err != nil || len(raw) < g.NonceSize() {
		return nil, fmt.Errorf("%w: sealed TOTP secret malformed", ErrMFAUnavailable)
	}
	plain, err := g.Open(nil, raw[:g.NonceSize()], raw[g.NonceSize():], []byte(userID))
	if err != nil {
		return nil, fmt.Errorf("%w: TOTP secret does not open with the configured key", ErrMFAUnavailable)
	}
	return totp.DecodeSecret(string(plain))
}

// hashCode is the stored form of a recovery code or reset token: hex
// SHA-256. Both carry at least 80 bits from crypto/rand, far beyond what a
// guess or an offline search of a stolen hash could cover, so a slow
// password hash would add cost and nothing else.
func hashCode(code string) string {
	sum := sha256.Sum256([]byte(code))
	return hex.EncodeToString(sum[:])
}

// newRecoveryCode returns a code of 16 base32 characters (80 bits) in four
// groups: "abcd-efgh-ijkl-mnop".
func newRecoveryCode() (string, error) {
	b := make([]byte, 10)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("session: random: %w", err)
	}
	s := strings.ToLower(base32.StdEncoding.EncodeToString(b))
	return s[0:4] + "-" + s[4:8] + "-" + s[8:12] + "-" + s[12:16], nil
}

// normRecoveryCode folds a typed recovery code to the form it was hashed
// in: lower case, the dashes where newRecoveryCode puts them, spaces gone.
func normRecoveryCode(c string) string {
	c = strings.ToLower(strings.NewReplacer("-", "", " ", "").Replace(c))
	if len(c) != 16 {
		return c
	}
	return c[0:4] + "-" + c[4:8] + "-" + c[8:12] + "-" + c[12:16]
}

// BeginTOTP starts a TOTP enrolment for a's user: a new secret, stored
// sealed and pending (TOTPEnabled false) until ConfirmTOTP. It replaces a
// pending enrolment; a user whose TOTP is already enabled gets
// ErrMFAEnabled (disable it first). Without MFAConfig.Key it is
// ErrMFAUnavailable.
func (m *Manager) BeginTOTP(ctx context.Context, a *Auth, c Client) (TOTPEnrolment, error) {
	if _, err := m.aead(); err != nil {
		return TOTPEnrolment{}, err
	}
	secret, err := totp.NewSecret()
	if err != nil {
		return TOTPEnrolment{}, err
	}
	sealed, err := m.seal(a.User.ID, secret)
	if err != nil {
		return TOTPEnrolment{}, err
	}
	u, err := m.updateLive(ctx, a, func(u *user.User) error {
		if u.TOTPEnabled {
			return ErrMFAEnabled
		}
		u.TOTPSecret, u.TOTPLastStep, u.RecoveryCodes = sealed, 0, nil
		return nil
	})
	if err != nil {
		return TOTPEnrolment{}, err
	}
	issuer := m.cfg.MFA.Issuer
	if issuer == "" {
		issuer = m.cfg.Service
	}
	return TOTPEnrolment{Secret: secret, URI: totp.URI(issuer, u.Username, secret)}, nil
}

// ConfirmTOTP checks code against a's pending enrolment and enables it:
// from now on every login of the user needs a one-time code or a recovery
// code. It returns RecoveryCodes new recovery codes, which are stored only
// as hashes and never shown again. Without a pending enrolment the error
// is ErrNoEnrolment; a wrong code is ErrInvalidCode. Audited as
// mfa_enable.
func (m *Manager) ConfirmTOTP(ctx context.Context, a *Auth, code string, c Client) ([]string, error) {
	rec := m.auditAction("mfa_enable", a.User.Username, a.User.Company, c)
	codes := make([]string, RecoveryCodes)
	hashes := make([]string, RecoveryCodes)
	for i := range codes {
		var err error
		if codes[i], err = newRecoveryCode(); err != nil {
			return nil, err
		}
		hashes[i] = hashCode(codes[i])
	}
	_, err := m.updateLive(ctx, a, func(u *user.User) error {
		if u.TOTPEnabled || u.TOTPSecret == "" {
			return ErrNoEnrolment
		}
		key, err := m.openSecret(u.ID, u.TOTPSecret)
		if err != nil {
			return err
		}
		step, ok := totp.Match(key, code, m.cfg.Now(), m.skew())
		if !ok {
			return ErrInvalidCode
		}
		u.TOTPEnabled, u.TOTPLastStep, u.RecoveryCodes = true, step, hashes
		return nil
	})
	if err != nil {
		m.audit(ctx, rec, "failed", failDetail(err))
		return nil, err
	}
	m.audit(ctx, rec, "ok", "")
	return codes, nil
}

// DisableTOTP removes a's second factor (enabled or pending) and its
// recovery codes after checking the user's password, throttled and
// counted like a login (ErrInvalidCredentials when wrong, a *LockedError
// while locked). A user without one gets ErrNoEnrolment. Audited as
// mfa_disable.
func (m *Manager) DisableTOTP(ctx context.Context, a *Auth, password string, c Client) error {
	rec := m.auditAction("mfa_disable", a.User.Username, a.User.Company, c)
	if err := user.ValidatePassword(password); err != nil {
		return err
	}
	if err := m.verifyOwnPassword(ctx, a, password, c, rec); err != nil {
		return err
	}
	_, err := m.updateLive(ctx, a, func(u *user.User) error {
		if u.TOTPSecret == "" && !u.TOTPEnabled {
			return ErrNoEnrolment
		}
		u.TOTPSecret, u.TOTPEnabled, u.TOTPLastStep, u.RecoveryCodes = "", false, 0, nil
		return nil
	})
	if err != nil {
		m.audit(ctx, rec, "failed", failDetail(err))
		return err
	}
	m.audit(ctx, rec, "ok", "")
	return nil
}

// verifyOwnPassword checks the password of a's user, throttled and counted
// like a login; a failure is audited under rec.
func (m *Manager) verifyOwnPassword(ctx context.Context, a *Auth, password string, c Client, rec audit.Action) error {
	u, err := m.store.Users().GetUser(ctx, a.User.ID)
	if err != nil {
		m.audit(ctx, rec, "failed", "store error")
		return denyOrFail("read user", err)
	}
	if u.Blocked || u.SessionEpoch != a.Session.Epoch {
		m.audit(ctx, rec, "failed", "session ended")
		return fmt.Errorf("%w: session ended", ErrUnauthenticated)
	}
	holder := c.TraceCode
	if holder == "" {
		holder = a.Session.IDHash
	}
	att, err := m.reserve(ctx, holder, u.Username, c.IP)
	if err != nil {
		outcome := "failed"
		if errors.Is(err, ErrLocked) {
			outcome = "locked"
		}
		m.audit(ctx, rec, outcome, "")
		return err
	}
	release, err := m.acquireHash(ctx)
	if err != nil {
		att.undo(ctx)
		m.audit(ctx, rec, "busy", "")
		return err
	}
	ok, _, verr := m.cfg.Hasher.Verify(u.PasswordHash, password)
	release()
	if !ok || verr != nil {
		ferr := att.fail(ctx)
		m.audit(ctx, rec, "failed", "wrong password")
		if ferr != nil {
			return ferr
		}
		return ErrInvalidCredentials
	}
	att.succeed(ctx)
	return nil
}

// updateLive re-reads a's user, refuses a session that ended meanwhile,
// applies change and writes the user, retrying a version conflict a few
// times (change runs again on the fresh read). Every other field is kept
// as read.
func (m *Manager) updateLive(ctx context.Context, a *Auth, change func(u *user.User) error) (user.User, error) {
	for try := 0; try < 3; try++ {
		u, err := m.store.Users().GetUser(ctx, a.User.ID)
		if err != nil {
			return user.User{}, denyOrFail("read user", err)
		}
		if u.Blocked || u.SessionEpoch != a.Session.Epoch {
			return user.User{}, fmt.Errorf("%w: session ended", ErrUnauthenticated)
		}
		if err := change(&u); err != nil {
			return user.User{}, err
		}
		stored, err := m.store.Users().UpdateUser(ctx, u)
		if err == nil {
			return stored, nil
		}
		if !errors.Is(err, storage.ErrConflict) {
			return user.User{}, storeErr("update user", err)
		}
	}
	return user.User{}, ErrConflict
}

func (m *Manager) skew() int {
	switch s := m.cfg.MFA.Skew; {
	case s == 0:
		return 1
	case s < 0:
		return 0
	default:
		return s
	}
}

// failDetail is the audit detail of a refused second-factor operation.
func failDetail(err error) string {
	switch {
	case errors.Is(err, ErrInvalidCode):
		return "wrong code"
	case errors.Is(err, ErrNoEnrolment):
		return "no enrolment"
	case errors.Is(err, ErrMFAEnabled):
		return "already enabled"
	case errors.Is(err, ErrMFAUnavailable):
		return "unavailable"
	case errors.Is(err, ErrUnauthenticated):
		return "session ended"
	}
	return "store error"
}

// secondFactor checks the one-time code or recovery code of a login whose
// password was right, for a user with TOTP enabled, and consumes it: the
// step of an accepted code is stored as the last one (a code of that step
// or an earlier one is refused from then on), a recovery code is removed.
// The write carries the version read, so of two logins racing with one
// code at most one succeeds. It returns the user as stored, or
// ErrOTPRequired (no code given), ErrInvalidCredentials (wrong or
// replayed), ErrMFAUnavailable (the secret cannot be opened) or an
// ErrStore.
func (m *Manager) secondFactor(ctx context.Context, u user.User, otp, recovery string) (user.User, string, error) {
	if otp == "" && recovery == "" {
		return u, "one-time code missing", ErrOTPRequired
	}
	for try := 0; ; try++ {
		nu := u.Clone()
		why := ""
		if otp != "" {
			key, err := m.openSecret(u.ID, u.TOTPSecret)
			if err != nil {
				return u, "TOTP secret unusable", err
			}
			step, ok := totp.Match(key, otp, m.cfg.Now(), m.skew())
			switch {
			case !ok:
				why = "wrong one-time code"
			case step <= u.TOTPLastStep:
				why = "one-time code replayed"
			default:
				nu.TOTPLastStep = step
			}
		} else {
			h := hashCode(normRecoveryCode(recovery))
			found := -1
			for i, c := range u.RecoveryCodes {
				if subtle.ConstantTimeCompare([]byte(c), []byte(h)) == 1 {
					found = i
				}
			}
			if found < 0 {
				why = "wrong recovery code"
			} else {
				nu.RecoveryCodes = append(nu.RecoveryCodes[:found:found], nu.RecoveryCodes[found+1:]...)
			}
		}
		if why != "" {
			return u, why, ErrInvalidCredentials
		}
		stored, err := m.store.Users().UpdateUser(ctx, nu)
		if err == nil {
			return stored, "", nil
		}
		if !errors.Is(err, storage.ErrConflict) || try >= 2 {
			return u, "store error", storeErr("update user", err)
		}
		// Another write came first (perhaps a login with the same code):
		// check again against what it stored.
		again, err := m.store.Users().GetUser(ctx, u.ID)
		if err != nil {
			return u, "store error", storeErr("read user", err)
		}
		u = again
	}
}

// ImportTOTP sets and enables secret (base32, at least 128 bits) as the
// TOTP secret of the user with userID, sealed like an enrolment, keeping
// the user's recovery codes: for the host's own trusted code, such as a
// migration from another system or a demo's fixed user. It is not
// audited as a user's enrolment is, and asks for no code. Without
// MFAConfig.Key it is ErrMFAUnavailable.
func (m *Manager) ImportTOTP(ctx context.Context, userID, secret string) error {
	if _, err := totp.DecodeSecret(secret); err != nil {
		return err
	}
	sealed, err := m.seal(userID, strings.ToUpper(strings.TrimRight(secret, "=")))
	if err != nil {
		return err
	}
	for try := 0; try < 3; try++ {
		u, err := m.store.Users().GetUser(ctx, userID)
		if err != nil {
			return storeErr("read user", err)
		}
		u.TOTPSecret, u.TOTPEnabled, u.TOTPLastStep = sealed, true, 0
		if _, err = m.store.Users().UpdateUser(ctx, u); err == nil {
			return nil
		}
		if !errors.Is(err, storage.ErrConflict) {
			return storeErr("update user", err)
		}
	}
	return ErrConflict
}
