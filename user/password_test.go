package user_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse/user"
)

func TestValidatePassword(t *testing.T) {
	cases := []struct {
		name string
		pw   string
		ok   bool
	}{
		{"1 char", "x", true},
		{"1000 ASCII chars", strings.Repeat("a", 1000), true},
		{"1000 Cyrillic runes (2000 bytes)", strings.Repeat("ж", 1000), true},
		{"1000 emoji runes (4000 bytes)", strings.Repeat("🔑", 1000), true},
		{"spaces kept as they are", "  pass word  ", true},
		{"empty", "", false},
		{"1001 chars", strings.Repeat("a", 1001), false},
		{"1001 Cyrillic runes", strings.Repeat("ж", 1001), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := user.ValidatePassword(tc.pw)
			if tc.ok {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, user.ErrInvalid)
			var fe *user.FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, "password", fe.Field)
			assert.Equal(t, user.RuleLength, fe.Rule)
		})
	}
}

func TestPasswordPolicy(t *testing.T) {
	errBreached := errors.New("found in a breach")
	breached := func(pw string) error {
		if pw == "password1" {
			return errBreached
		}
		return nil
	}
	cases := []struct {
		name   string
		policy user.PasswordPolicy
		pw     string
		rule   string // "" means accepted
		target error  // extra error the refusal must wrap
	}{
		{"default: 8 chars", user.PasswordPolicy{}, "12345678", "", nil},
		{"default: 7 chars", user.PasswordPolicy{}, "1234567", user.RuleLength, nil},
		{"default: 8 runes of 2 bytes", user.PasswordPolicy{}, strings.Repeat("ж", 8), "", nil},
		{"default: 7 runes of 2 bytes (14 bytes)", user.PasswordPolicy{}, strings.Repeat("ж", 7), user.RuleLength, nil},
		{"default: 1000 chars", user.PasswordPolicy{}, strings.Repeat("a", 1000), "", nil},
		{"default: 1001 chars", user.PasswordPolicy{}, strings.Repeat("a", 1001), user.RuleLength, nil},
		{"min 12: 11 chars", user.PasswordPolicy{MinLength: 12}, strings.Repeat("a", 11), user.RuleLength, nil},
		{"min 12: 12 chars", user.PasswordPolicy{MinLength: 12}, strings.Repeat("a", 12), "", nil},
		{"max 64: 65 chars", user.PasswordPolicy{MaxLength: 64}, strings.Repeat("a", 65), user.RuleLength, nil},
		{"max above 1000 is capped", user.PasswordPolicy{MaxLength: 5000}, strings.Repeat("a", 1001), user.RuleLength, nil},
		{"negative min means 1", user.PasswordPolicy{MinLength: -5}, "x", "", nil},
		{"negative min still refuses empty", user.PasswordPolicy{MinLength: -5}, "", user.RuleLength, nil},
		{"check refuses", user.PasswordPolicy{Check: breached}, "password1", user.RuleCheck, errBreached},
		{"check accepts", user.PasswordPolicy{Check: breached}, "password2", "", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.policy.Validate(tc.pw)
			if tc.rule == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, user.ErrInvalid)
			var fe *user.FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, "password", fe.Field)
			assert.Equal(t, tc.rule, fe.Rule)
			if tc.target != nil {
				assert.ErrorIs(t, err, tc.target)
			}
			if len(tc.pw) > 3 {
				assert.NotContains(t, err.Error(), tc.pw, "the error must not repeat the password")
			}
		})
	}
}

func TestPasswordPolicyCheckSkippedWhenTooShort(t *testing.T) {
	called := false
	p := user.PasswordPolicy{Check: func(string) error { called = true; return nil }}
	require.Error(t, p.Validate("short"))
	assert.False(t, called)
}

func TestPasswordPolicyInconsistent(t *testing.T) {
	p := user.PasswordPolicy{MinLength: 20, MaxLength: 10}
	err := p.Validate(strings.Repeat("a", 15))
	require.ErrorIs(t, err, user.ErrConfig)
}
