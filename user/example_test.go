package user_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gatehouse-go/gatehouse/user"
)

func ExampleUser_Validate() {
	u := user.User{
		Username: "my_username_for_login",
		Company:  "my company",
		Email:    "Admin <admin@company.com>",
		Timezone: "Asia/Almaty",
	}
	err := u.Validate()
	fmt.Println(errors.Is(err, user.ErrInvalid))

	var verrs user.ValidationErrors
	if errors.As(err, &verrs) {
		for _, fe := range verrs {
			fmt.Printf("%s %s: %s\n", fe.Field, fe.Rule, fe.Message)
		}
	}
	// Output:
	// true
	// email format: must be a bare e-mail address such as name@example.com
	// company_key pattern: must hold only ASCII letters, digits and underscores
}

func ExampleBcrypt() {
	h, err := user.NewBcrypt(user.BcryptConfig{
		Cost:   10,                                    // the minimum; the default is 12
		Pepper: []byte("a secret kept out of the DB"), // optional
	})
	if err != nil {
		panic(err)
	}
	encoded, err := h.Hash("correct horse battery staple")
	if err != nil {
		panic(err)
	}
	fmt.Println(strings.HasPrefix(encoded, "$gh1-bcrypt-sha384$2a$10$"))

	ok, needsRehash, err := h.Verify(encoded, "correct horse battery staple")
	fmt.Println(ok, needsRehash, err)

	ok, _, err = h.Verify(encoded, "Tr0ub4dor&3")
	fmt.Println(ok, err)
	// Output:
	// true
	// true false <nil>
	// false <nil>
}

// ExampleMultiHasher shows a login: verify, spend the same work for an
// unknown user, and rehash when asked.
func ExampleMultiHasher() {
	h, err := user.NewHasher(user.HasherConfig{Bcrypt: user.BcryptConfig{Cost: 10}})
	if err != nil {
		panic(err)
	}
	// A hash imported from a PHP application.
	stored := map[string]string{"rasmus": "$2y$07$BCryptRequires22Chrcte/VlQH0piJtjXl.0t1XkA8pw9dMXTpOq"}

	login := func(username, password string) bool {
		encoded, found := stored[username]
		if !found {
			h.VerifyDummy(password) // same work as a wrong password
			return false
		}
		ok, needsRehash, err := h.Verify(encoded, password)
		if err != nil || !ok {
			return false
		}
		if needsRehash {
			if fresh, err := h.Hash(password); err == nil {
				stored[username] = fresh
			}
		}
		return true
	}

	fmt.Println(login("nobody", "rasmuslerdorf"))
	fmt.Println(login("rasmus", "wrong"))
	fmt.Println(login("rasmus", "rasmuslerdorf"))
	fmt.Println(strings.HasPrefix(stored["rasmus"], user.BcryptPrefix))
	fmt.Println(login("rasmus", "rasmuslerdorf"))
	// Output:
	// false
	// false
	// true
	// true
	// true
}

func ExamplePasswordPolicy() {
	errCommon := errors.New("too common")
	policy := user.PasswordPolicy{
		MinLength: 10,
		Check: func(pw string) error {
			if strings.EqualFold(pw, "password123") {
				return errCommon
			}
			return nil
		},
	}
	fmt.Println(policy.Validate("short"))
	err := policy.Validate("Password123")
	fmt.Println(err, errors.Is(err, errCommon), errors.Is(err, user.ErrInvalid))
	fmt.Println(policy.Validate("a long passphrase, unlike any other"))
	// Output:
	// user: password: must be 10..1000 characters, got 5
	// user: password: refused: too common true true
	// <nil>
}
