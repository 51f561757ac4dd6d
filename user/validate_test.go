package user_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse/user"
)

func validUser() user.User {
	return user.User{
		ID:       "u1",
		Username: "my_username_for_login",
		Name:     "my_visible_name",
		Email:    "admin@company.com",
		Phone:    "+71112223333",
		Company:  "my_company",
		Locale:   "en",
		Timezone: "Asia/Almaty",
		Access:   user.AccessReadOnly,
		Roles:    []string{"USER"},
		Attributes: map[string]string{
			"dep_id": "7",
		},
	}
}

// fieldCase is one value of a field and the rules it breaks.
type fieldCase struct {
	name  string
	value string
	rules []string // broken rules, in order; nil means valid
}

func runFieldCases(t *testing.T, field string, set func(*user.User, string), single func(string) *user.FieldError, cases []fieldCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			u := validUser()
			set(&u, tc.value)
			err := u.Validate()
			if tc.rules == nil {
				require.NoError(t, err)
				if single != nil && tc.value != "" {
					assert.Nil(t, single(tc.value))
				}
				return
			}
			require.Error(t, err)
			var verrs user.ValidationErrors
			require.ErrorAs(t, err, &verrs)
			var got []string
			for _, fe := range verrs {
				assert.Equal(t, field, fe.Field)
				assert.NotEmpty(t, fe.Message)
				got = append(got, fe.Rule)
			}
			assert.Equal(t, tc.rules, got)
			assert.ErrorIs(t, err, user.ErrInvalid)
			if single != nil {
				fe := single(tc.value)
				require.NotNil(t, fe)
				assert.Equal(t, field, fe.Field)
				assert.Equal(t, tc.rules[0], fe.Rule)
			}
		})
	}
}

func TestValidateValidUser(t *testing.T) {
	u := validUser()
	require.NoError(t, u.Validate())

	minimal := user.User{Username: "ab", Company: "abc"}
	require.NoError(t, minimal.Validate(), "optional fields may be empty")
}

func TestValidateUsername(t *testing.T) {
	runFieldCases(t, "username", func(u *user.User, s string) { u.Username = s }, user.ValidateUsername, []fieldCase{
		{"2 chars", "ab", nil},
		{"256 chars", strings.Repeat("a", 256), nil},
		{"digits and underscore", "user_01", nil},
		{"empty", "", []string{user.RuleRequired}},
		{"1 char", "a", []string{user.RuleLength}},
		{"257 chars", strings.Repeat("a", 257), []string{user.RuleLength}},
		{"space", "my user", []string{user.RulePattern}},
		{"hyphen", "my-user", []string{user.RulePattern}},
		{"dot", "my.user", []string{user.RulePattern}},
		{"non-ASCII letters", "пользователь", []string{user.RulePattern}},
		{"one non-ASCII letter", "é", []string{user.RuleLength, user.RulePattern}},
		{"trailing newline", "admin\n", []string{user.RulePattern}},
		{"NUL", "admin\x00", []string{user.RulePattern}},
	})
}

func TestValidateCompany(t *testing.T) {
	runFieldCases(t, "company_key", func(u *user.User, s string) { u.Company = s }, user.ValidateCompany, []fieldCase{
		{"3 chars", "abc", nil},
		{"256 chars", strings.Repeat("c", 256), nil},
		{"empty", "", []string{user.RuleRequired}},
		{"2 chars", "ab", []string{user.RuleLength}},
		{"257 chars", strings.Repeat("c", 257), []string{user.RuleLength}},
		{"slash", "my/company", []string{user.RulePattern}},
		{"pipe separator", "a_|_b", []string{user.RulePattern}},
	})
}

func TestValidateName(t *testing.T) {
	runFieldCases(t, "name", func(u *user.User, s string) { u.Name = s }, user.ValidateName, []fieldCase{
		{"empty is unset", "", nil},
		{"2 chars", "Al", nil},
		{"256 chars", strings.Repeat("n", 256), nil},
		{"256 Cyrillic runes (512 bytes)", strings.Repeat("Я", 256), nil},
		{"spaces and punctuation", "Иван Петров-Водкин, Jr.", nil},
		{"1 char", "A", []string{user.RuleLength}},
		{"257 chars", strings.Repeat("n", 257), []string{user.RuleLength}},
		{"257 Cyrillic runes", strings.Repeat("Я", 257), []string{user.RuleLength}},
		{"newline", "Ann\nadmin logged in", []string{user.RuleFormat}},
		{"invalid UTF-8", "Ann\xff", []string{user.RuleFormat}},
	})
	assert.NotNil(t, user.ValidateName(""), "the single-field validator treats empty as too short")
	assert.NotNil(t, user.ValidateEmail(""))
	assert.NotNil(t, user.ValidatePhone(""))
}

func TestValidateEmail(t *testing.T) {
	runFieldCases(t, "email", func(u *user.User, s string) { u.Email = s }, user.ValidateEmail, []fieldCase{
		{"empty is unset", "", nil},
		{"5 chars", "a@b.c", nil},
		{"256 chars", strings.Repeat("a", 64) + "@" + strings.Repeat("b", 187) + ".com", nil},
		{"plus tag", "admin+tag@company.com", nil},
		{"4 chars", "a@bc", []string{user.RuleLength}},
		{"257 chars", strings.Repeat("a", 64) + "@" + strings.Repeat("b", 188) + ".com", []string{user.RuleLength}},
		{"no at", "admin.company.com", []string{user.RuleFormat}},
		{"display name", "Admin <admin@company.com>", []string{user.RuleFormat}},
		{"angle brackets", "<admin@company.com>", []string{user.RuleFormat}},
		{"comment", "admin@company.com (boss)", []string{user.RuleFormat}},
		{"leading space", " admin@company.com", []string{user.RuleFormat}},
		{"two addresses", "a@b.com, c@d.com", []string{user.RuleFormat}},
		{"header injection", "a@b.com\r\nBcc: x@y.z", []string{user.RuleFormat}},
		{"too short and bad", "a@", []string{user.RuleLength, user.RuleFormat}},
	})
}

func TestValidatePhone(t *testing.T) {
	runFieldCases(t, "phone", func(u *user.User, s string) { u.Phone = s }, user.ValidatePhone, []fieldCase{
		{"empty is unset", "", nil},
		{"5 chars", "12345", nil},
		{"32 chars", "+" + strings.Repeat("1", 31), nil},
		{"formatted", "+7 (111) 222-33.33", nil},
		{"4 chars", "1234", []string{user.RuleLength}},
		{"33 chars", "+" + strings.Repeat("1", 32), []string{user.RuleLength}},
		{"letters", "+7111CALLME", []string{user.RulePattern}},
		{"plus inside", "7+1112223333", []string{user.RulePattern}},
		{"no digit", "(---)", []string{user.RuleFormat}},
		{"too short with letter", "1a", []string{user.RuleLength, user.RulePattern}},
	})
}

func TestValidateTimezone(t *testing.T) {
	runFieldCases(t, "timezone", func(u *user.User, s string) { u.Timezone = s }, user.ValidateTimezone, []fieldCase{
		{"empty is UTC", "", nil},
		{"UTC", "UTC", nil},
		{"IANA zone", "Europe/Moscow", nil},
		{"Local", "Local", []string{user.RuleZone}},
		{"unknown", "Mars/Olympus_Mons", []string{user.RuleZone}},
		{"offset number as in the account service", "3", []string{user.RuleZone}},
		{"path traversal", "../../etc/passwd", []string{user.RuleZone}},
		{"absolute path", "/etc/localtime", []string{user.RuleZone}},
		{"very long", strings.Repeat("A/", 100), []string{user.RuleZone}},
	})
}

func TestValidateAccess(t *testing.T) {
	runFieldCases(t, "access", func(u *user.User, s string) { u.Access = user.Access(s) }, nil, []fieldCase{
		{"empty is full", "", nil},
		{"full", "full", nil},
		{"read_only", "read_only", nil},
		{"unknown", "admin", []string{user.RuleEnum}},
		{"case differs", "FULL", []string{user.RuleEnum}},
	})
}

func TestValidateLocale(t *testing.T) {
	runFieldCases(t, "locale", func(u *user.User, s string) { u.Locale = s }, nil, []fieldCase{
		{"empty is unset", "", nil},
		{"2 letters", "en", nil},
		{"region", "ru-RU", nil},
		{"script and region", "zh-Hant-TW", nil},
		{"numeric region", "es-419", nil},
		{"35 chars", "en-" + strings.Repeat("abcdefg-", 3) + "abcdefgh", nil},
		{"1 char", "e", []string{user.RuleLength, user.RuleFormat}},
		{"36 chars", "en-" + strings.Repeat("abcdefgh-", 3) + "abcdef", []string{user.RuleLength}},
		{"underscore", "en_US", []string{user.RuleFormat}},
		{"empty subtag", "en--US", []string{user.RuleFormat}},
		{"trailing hyphen", "en-", []string{user.RuleFormat}},
		{"digit in language", "e1", []string{user.RuleFormat}},
		{"subtag over 8", "en-abcdefghi", []string{user.RuleFormat}},
	})
}

func TestValidateRolesAndAttributes(t *testing.T) {
	u := validUser()
	u.Roles = []string{"USER", ""}
	u.Attributes = map[string]string{"": "x"}
	err := u.Validate()
	var verrs user.ValidationErrors
	require.ErrorAs(t, err, &verrs)
	require.Len(t, verrs, 2)
	assert.Equal(t, "roles", verrs[0].Field)
	assert.Equal(t, user.RuleRequired, verrs[0].Rule)
	assert.Equal(t, "attributes", verrs[1].Field)
	assert.Equal(t, user.RuleRequired, verrs[1].Rule)
}

func TestValidateReportsEveryError(t *testing.T) {
	u := user.User{
		Username: "a",
		Name:     "B",
		Email:    "not-an-email",
		Phone:    "call me",
		Company:  "",
		Timezone: "Nowhere/Land",
		Access:   "superuser",
		Locale:   "en_US",
		Roles:    []string{""},
	}
	err := u.Validate()
	var verrs user.ValidationErrors
	require.ErrorAs(t, err, &verrs)
	var fields []string
	for _, fe := range verrs {
		fields = append(fields, fe.Field)
	}
	assert.Equal(t, []string{"username", "name", "email", "phone", "company_key", "timezone", "access", "locale", "roles"}, fields)
	assert.ErrorIs(t, err, user.ErrInvalid)

	var fe *user.FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "username", fe.Field, "errors.As finds the first field error")
	assert.Contains(t, err.Error(), "company_key: is required")
	assert.True(t, strings.HasPrefix(err.Error(), "user: invalid: "))
}

func TestFieldErrorWrapsErrInvalid(t *testing.T) {
	fe := user.ValidateUsername("")
	require.NotNil(t, fe)
	assert.True(t, errors.Is(fe, user.ErrInvalid))
	assert.Equal(t, "user: username: is required", fe.Error())
}
