package storagetest

import (
	"fmt"
	"strings"
	"time"

	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/user"
)

// hostile returns strings that break careless stores: separators of
// key-value stores and CSV, SQL quoting and LIKE patterns, glob characters,
// control characters, non-ASCII text and a 1 KiB string. Each is distinct.
func hostile() []string {
	return []string{
		"new\nline", "carriage\r\nreturn", "tab\there", "comma,separated",
		`double"quote`, "single'quote", "back\\slash", "colon:separated",
		"star*", "per%cent", "under_score", "question?mark", "[brackets]", "{braces}",
		" padded ", "semi;colon -- ", "ünïcödé", "漢字", "emoji 🙂",
		strings.Repeat("k", 1024),
	}
}

// hostileCodes returns hostile strings short enough for role and parameter
// codes (at most permissions.MaxNameLen bytes).
func hostileCodes() []string {
	h := hostile()
	h[len(h)-1] = strings.Repeat("c", permissions.MaxNameLen)
	return h
}

// fixedTime is a time with millisecond precision for records whose time the
// suite chooses.
func fixedTime() time.Time {
	return time.Date(2024, time.May, 1, 10, 0, 0, 0, time.UTC)
}

// newUser returns a user with every field the caller sets filled in.
func newUser(id, username, company string) user.User {
	return user.User{
		ID:                id,
		Username:          username,
		Name:              "Name of " + username,
		Email:             username + "@example.com",
		Phone:             "+7 700 000 0000",
		Company:           company,
		Locale:            "en",
		Timezone:          "Asia/Almaty",
		Access:            user.AccessReadOnly,
		Admin:             true,
		Blocked:           false,
		Roles:             []string{"viewer", "sales"},
		Attributes:        map[string]string{"dep_id": "7", "allowFTP": "true"},
		Parameters:        map[string]string{"generate_ddl": "1"},
		PasswordHash:      "$gh-bcrypt$2a$10$0123456789012345678901uabcdefghijklmnopqrstuvwxyzABCDE",
		PasswordChangedAt: fixedTime(),
		SessionEpoch:      3,
		TOTPSecret:        "v1.sealed-secret-bytes-as-the-session-package-writes-them",
		TOTPEnabled:       true,
		TOTPLastStep:      58_000_000,
		RecoveryCodes:     []string{strings.Repeat("a", 64), strings.Repeat("b", 64)},
		ResetTokenHash:    strings.Repeat("c", 64),
		ResetExpiresAt:    fixedTime().Add(30 * time.Minute),
		ResetEpoch:        3,
	}
}

// newRole returns a role with every field filled in.
func newRole(code string) permissions.Role {
	return permissions.Role{
		Code:     code,
		Title:    "Title of " + code,
		Base:     []string{"viewer"},
		Params:   []permissions.Param{{Code: "generate_ddl", Value: "1"}},
		Entities: map[string][]permissions.Op{"Customer": {permissions.OpCreate, permissions.OpRead}, "Order": {}, "*": {permissions.OpRead}},
		Attributes: map[string]map[string]permissions.Access{
			"Customer": {"*": permissions.Modify},
			"Product":  {"*": permissions.Read, "tags": permissions.Hidden},
		},
		Specifics: []string{"entity_export_to_file"},
		Quotas:    []permissions.Quota{{Service: "UNIVERSAL", MethodGroup: "PLAN", PointsPerDay: 1500, MaxConcurrentExecution: 2}},
	}
}

// idHash returns the n-th session key: 64 lower-case hex digits.
func idHash(n int) string {
	return fmt.Sprintf("%064x", n+0xabc0)
}

// newSession returns a session of userID created at created and expiring
// an hour later.
func newSession(n int, userID string, created time.Time) storage.Session {
	return storage.Session{
		IDHash:     idHash(n),
		UserID:     userID,
		CreatedAt:  created,
		ExpiresAt:  created.Add(time.Hour),
		LastSeenAt: created,
		ClientIP:   "203.0.113.7",
		UserAgent:  "Mozilla/5.0 (X11; Linux x86_64)",
		Epoch:      3,
	}
}

// traceCode returns the n-th trace code, a UUID that sorts by n.
func traceCode(n int) string {
	return fmt.Sprintf("00000000-0000-4000-8000-%012d", n)
}
