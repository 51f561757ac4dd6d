package user_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse/user"
)

// invisible holds characters that show nothing, or show something else,
// with the Unicode category they belong to.
var invisible = []struct{ name, char string }{
	{"U+202E RIGHT-TO-LEFT OVERRIDE (Cf)", "\u202e"},
	{"U+2066 LEFT-TO-RIGHT ISOLATE (Cf)", "\u2066"},
	{"U+200B ZERO WIDTH SPACE (Cf)", "\u200b"},
	{"U+200D ZERO WIDTH JOINER (Cf)", "\u200d"},
	{"U+00AD SOFT HYPHEN (Cf)", "\u00ad"},
	{"U+FEFF BYTE ORDER MARK (Cf)", "\ufeff"},
	{"U+E0041 TAG LATIN CAPITAL LETTER A (Cf)", "\U000e0041"},
	{"U+0085 NEXT LINE (Cc)", "\u0085"},
	{"U+001B ESCAPE (Cc)", "\x1b"},
	{"U+007F DELETE (Cc)", "\x7f"},
	{"U+0000 NUL (Cc)", "\x00"},
	{"U+2028 LINE SEPARATOR (Zl)", "\u2028"},
	{"U+2029 PARAGRAPH SEPARATOR (Zp)", "\u2029"},
}

// Names and e-mail addresses refuse format and control characters under
// the "format" rule, naming the character; usernames, company keys and
// phones refuse them under "pattern" (ASCII only).
func TestValidateRefusesFormatAndControlCharacters(t *testing.T) {
	fields := []struct {
		field  string
		value  func(c string) string
		set    func(*user.User, string)
		single func(string) *user.FieldError
		rule   string
	}{
		{"name", func(c string) string { return "Ann" + c + "Lee" }, func(u *user.User, s string) { u.Name = s }, user.ValidateName, user.RuleFormat},
		{"email", func(c string) string { return "adm" + c + "in@company.com" }, func(u *user.User, s string) { u.Email = s }, user.ValidateEmail, user.RuleFormat},
		{"email", func(c string) string { return "admin@comp" + c + "any.com" }, func(u *user.User, s string) { u.Email = s }, user.ValidateEmail, user.RuleFormat},
		{"username", func(c string) string { return "admin" + c }, func(u *user.User, s string) { u.Username = s }, user.ValidateUsername, user.RulePattern},
		{"company_key", func(c string) string { return "my" + c + "company" }, func(u *user.User, s string) { u.Company = s }, user.ValidateCompany, user.RulePattern},
		{"phone", func(c string) string { return "+7111" + c + "2223333" }, func(u *user.User, s string) { u.Phone = s }, user.ValidatePhone, user.RulePattern},
	}
	for _, f := range fields {
		for _, ch := range invisible {
			t.Run(f.field+"/"+ch.name, func(t *testing.T) {
				v := f.value(ch.char)
				fe := f.single(v)
				require.NotNil(t, fe, "%q must be refused", v)
				assert.Equal(t, f.field, fe.Field)
				assert.Equal(t, f.rule, fe.Rule)
				if f.rule == user.RuleFormat {
					assert.Contains(t, fe.Message, ch.name[:6], "the message names the character")
				}
				u := validUser()
				f.set(&u, v)
				err := u.Validate()
				var verrs user.ValidationErrors
				require.ErrorAs(t, err, &verrs)
				require.Len(t, verrs, 1)
				assert.Equal(t, f.field, verrs[0].Field)
				assert.Equal(t, f.rule, verrs[0].Rule)
				assert.ErrorIs(t, err, user.ErrInvalid)
			})
		}
	}
}

// What the rule must not refuse: letters of every script, combining marks,
// punctuation, symbols and emoji, and internationalised e-mail domains.
func TestValidateKeepsVisibleText(t *testing.T) {
	for _, name := range []string{
		"Иван Петров-Водкин", "محمد علي", "שרה כהן", "José Ñúñez", "e\u0301cole", "李小龍", "O'Brien & Sons",
		"Zoë 😀", "Ann\u00a0Lee",
	} {
		assert.Nil(t, user.ValidateName(name), name)
	}
	for _, email := range []string{"admin@company.com", "admin+tag@company.com", "иван@пример.рф"} {
		assert.Nil(t, user.ValidateEmail(email), email)
	}
}

// Passwords are never judged by their characters: a password may hold
// anything, format and control characters included.
func TestPasswordsKeepEveryCharacter(t *testing.T) {
	for _, ch := range invisible {
		pw := "pass" + ch.char + "word"
		assert.NoError(t, user.ValidatePassword(pw), ch.name)
		assert.NoError(t, user.PasswordPolicy{}.Validate(pw), ch.name)
	}
}
