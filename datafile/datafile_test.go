package datafile_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/datafile"
	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/storage/memstore"
	"github.com/gatehouse-go/gatehouse/user"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"
)

func readTestData(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "datafile.json"))
	require.NoError(t, err)
	return b
}

// edit decodes the test data file into a generic map, lets fn change it,
// and encodes it again.
func edit(t *testing.T, fn func(m map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(readTestData(t), &m))
	fn(m)
	b, err := json.Marshal(m)
	require.NoError(t, err)
	return b
}

// fixedNow is the clock of the tests that apply a file.
var fixedNow = time.Date(2024, 2, 21, 9, 30, 0, 0, time.FixedZone("MSK", 3*3600))

func obj(v any) map[string]any { return v.(map[string]any) }
func list(v any) []any         { return v.([]any) }

func testHasher(t *testing.T) user.Hasher {
	t.Helper()
	h, err := user.NewBcrypt(user.BcryptConfig{Cost: bcrypt.MinCost + 6})
	require.NoError(t, err)
	return h
}

func TestParse(t *testing.T) {
	d, err := datafile.Parse(readTestData(t))
	require.NoError(t, err)
	assert.Equal(t, "demo", d.Service.Name)
	assert.Equal(t, datafile.Version{Major: 1, Minor: 0, Build: "dev"}, d.Service.Version)
	assert.Equal(t, []string{"image", "price", "name", "tags"}, d.Schema["Product"])
	require.Len(t, d.Roles, 2)
	sales := d.Roles[1]
	assert.Equal(t, "sales", sales.Code)
	assert.Equal(t, []string{"viewer"}, sales.Base)
	assert.Equal(t, []permissions.Op{permissions.OpCreate, permissions.OpRead, permissions.OpUpdate}, sales.Entities["Customer"])
	assert.Equal(t, permissions.Hidden, sales.Attributes["Product"]["tags"])
	assert.Equal(t, int64(1500), sales.Quotas[0].PointsPerDay)
	require.Len(t, d.Users, 3)
	assert.Equal(t, user.AccessReadOnly, d.Users[2].Access)
}

func TestParseNamesThePlace(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(m map[string]any)
		place string
		msg   string
	}{
		{"bad email", func(m map[string]any) { obj(list(m["users"])[1])["email"] = "not-an-email" }, "users[1].email", ""},
		{"short username", func(m map[string]any) { obj(list(m["users"])[2])["username"] = "a" }, "users[2].username", ""},
		{"bad company", func(m map[string]any) { obj(list(m["users"])[0])["company"] = "a-b" }, "users[0].company", ""},
		{"unknown zone", func(m map[string]any) { obj(list(m["users"])[0])["timezone"] = "Mars/Olympus" }, "users[0].timezone", ""},
		{"bad access", func(m map[string]any) { obj(list(m["users"])[0])["access"] = "root" }, "users[0].access", ""},
		{"unknown role of user", func(m map[string]any) { obj(list(m["users"])[1])["roles"] = []any{"sales", "ghost"} }, "users[1].roles[1]", `unknown role "ghost"`},
		{"unknown parameter of user", func(m map[string]any) { obj(list(m["users"])[0])["parameters"] = map[string]any{"nope": "1"} }, "users[0].parameters.nope", "unknown parameter"},
		{"no password", func(m map[string]any) { delete(obj(list(m["users"])[0]), "password") }, "users[0]", "password or password_hash is required"},
		{"both passwords", func(m map[string]any) { obj(list(m["users"])[0])["password_hash"] = "$2a$10$x" }, "users[0]", "not both"},
		{"short password", func(m map[string]any) { obj(list(m["users"])[0])["password"] = "short" }, "users[0].password", "8..1000"},
		{"bad hash", func(m map[string]any) {
			u := obj(list(m["users"])[0])
			delete(u, "password")
			u["password_hash"] = "md5:5f4dcc3b5aa765d61d8327deb882cf99"
		}, "users[0].password_hash", ""},
		{"duplicate username", func(m map[string]any) { obj(list(m["users"])[1])["username"] = "admin" }, "users[1].username", "duplicate"},
		{"unknown user field", func(m map[string]any) { obj(list(m["users"])[1])["isAdmin"] = true }, "users[1]", `unknown field "isAdmin"`},
		{"wrong type", func(m map[string]any) { obj(list(m["users"])[1])["admin"] = "yes" }, "users[1].admin", "must be a boolean"},
		{"unknown op", func(m map[string]any) {
			obj(obj(list(m["roles"])[1])["entities"])["Customer"] = []any{"read", "erase"}
		}, "roles[1]", "unknown operation"},
		{"unknown access level", func(m map[string]any) {
			obj(obj(obj(list(m["roles"])[1])["attributes"])["Product"])["tags"] = "write"
		}, "roles[1]", "unknown access level"},
		{"unknown base", func(m map[string]any) { obj(list(m["roles"])[1])["base"] = []any{"viewer", "ghost"} }, "roles[1].base[1]", `unknown role "ghost"`},
		{"cycle", func(m map[string]any) { obj(list(m["roles"])[0])["base"] = []any{"sales"} }, "roles[", "cycle"},
		{"empty role code", func(m map[string]any) { obj(list(m["roles"])[0])["code"] = "" }, "roles[0]", "code"},
		{"duplicate role", func(m map[string]any) {
			r := obj(list(m["roles"])[1])
			r["code"], r["base"] = "viewer", []any{}
		}, "roles[1].code", "duplicate"},
		{"bad schema attribute", func(m map[string]any) { obj(m["schema"])["Product"] = []any{"price", "a:b"} }, "schema.Product[1]", ""},
		{"duplicate schema attribute", func(m map[string]any) { obj(m["schema"])["Product"] = []any{"price", "price"} }, "schema.Product[1]", "duplicate"},
		{"duplicate parameter", func(m map[string]any) {
			m["parameters"] = append(list(m["parameters"]), map[string]any{"code": "show_header", "value": "2"})
		}, "parameters[4].code", "duplicate"},
		{"bad version", func(m map[string]any) { obj(obj(m["service"])["version"])["major"] = 0 }, "service.version", "major"},
		{"unknown top-level field", func(m map[string]any) { m["groups"] = []any{} }, "", `unknown field "groups"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := datafile.Parse(edit(t, tc.edit))
			require.Error(t, err)
			var de *datafile.Error
			require.ErrorAs(t, err, &de)
			assert.True(t, strings.HasPrefix(de.Place, tc.place), "place %q, want %q (%v)", de.Place, tc.place, err)
			assert.Contains(t, err.Error(), tc.msg)
		})
	}
}

func TestParseMalformedJSON(t *testing.T) {
	for name, body := range map[string]string{
		"truncated":      `{"roles": [`,
		"syntax":         `{"roles": [}`,
		"trailing":       `{} {}`,
		"not an object":  `[]`,
		"empty":          ``,
		"users not list": `{"users": {}}`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := datafile.Parse([]byte(body))
			var de *datafile.Error
			require.ErrorAs(t, err, &de)
		})
	}
}

func TestApplyDataFile(t *testing.T) {
	ctx := context.Background()
	store := memstore.New(memstore.Config{})
	d, err := datafile.Parse(readTestData(t))
	require.NoError(t, err)
	h := testHasher(t)

	rep, err := d.Apply(ctx, store, h, fixedNow)
	require.NoError(t, err)
	assert.Equal(t, datafile.Report{ParametersPut: 4, RolesPut: 2, UsersCreated: 3}, rep)

	admin, err := store.Users().GetUserByUsername(ctx, "admin")
	require.NoError(t, err)
	assert.NotEmpty(t, admin.ID)
	assert.Equal(t, "Asia/Almaty", admin.Timezone)
	assert.Equal(t, map[string]string{"dep_id": "104"}, admin.Attributes)
	ok, _, err := h.Verify(admin.PasswordHash, "admin-demo-password")
	require.NoError(t, err)
	assert.True(t, ok, "the password is hashed and verifies")
	assert.NotContains(t, admin.PasswordHash, "admin-demo-password")

	// A run-time change to a user survives a second apply, and so do a role
	// and a parameter added at run time (apply_test.go has the rest).
	admin.Name = "Changed At Run Time"
	_, err = store.Users().UpdateUser(ctx, admin)
	require.NoError(t, err)
	require.NoError(t, store.Roles().PutRole(ctx, permissions.Role{Code: "stray"}))
	require.NoError(t, store.Parameters().PutParameter(ctx, storage.Parameter{Code: "stray", Value: "1"}))

	rep, err = d.Apply(ctx, store, h, fixedNow.Add(time.Hour))
	require.NoError(t, err)
	assert.Equal(t, datafile.Report{ParametersPut: 4, ParametersKept: 1, RolesPut: 2, RolesKept: 1, UsersKept: 3}, rep)
	again, err := store.Users().GetUserByUsername(ctx, "admin")
	require.NoError(t, err)
	assert.Equal(t, "Changed At Run Time", again.Name)
	assert.Equal(t, admin.ID, again.ID)
	roles, err := store.Roles().ListRoles(ctx)
	require.NoError(t, err)
	assert.Len(t, roles, 3)
	schema, err := store.Parameters().GetSchema(ctx)
	require.NoError(t, err)
	assert.Equal(t, d.Schema, schema)

	// Idempotent: a third apply changes nothing.
	rep, err = d.Apply(ctx, store, h, fixedNow.Add(2*time.Hour))
	require.NoError(t, err)
	assert.Equal(t, datafile.Report{ParametersPut: 4, ParametersKept: 1, RolesPut: 2, RolesKept: 1, UsersKept: 3}, rep)
}

func TestApplyDataFileWithExistingHash(t *testing.T) {
	ctx := context.Background()
	store := memstore.New(memstore.Config{})
	// A hash made by another system (PHP's password_hash uses $2y$).
	legacy, err := bcrypt.GenerateFromPassword([]byte("imported-password"), bcrypt.MinCost)
	require.NoError(t, err)
	hash := "$2y$" + string(legacy[4:])
	b := edit(t, func(m map[string]any) {
		u := obj(list(m["users"])[1])
		delete(u, "password")
		u["password_hash"] = hash
	})
	d, err := datafile.Parse(b)
	require.NoError(t, err)
	_, err = d.Apply(ctx, store, testHasher(t), fixedNow)
	require.NoError(t, err)
	alice, err := store.Users().GetUserByUsername(ctx, "alice")
	require.NoError(t, err)
	assert.Equal(t, hash, alice.PasswordHash, "an imported hash is stored as it is")
	ok, rehash, err := testHasher(t).Verify(alice.PasswordHash, "imported-password")
	require.NoError(t, err)
	assert.True(t, ok)
	assert.True(t, rehash)
}

// failingHasher fails every hash, as a broken random source would.
type failingHasher struct{ user.Hasher }

func (failingHasher) Hash(string) (string, error) { return "", errors.New("entropy exhausted") }

func TestApplyDataFileWritesNothingWhenHashingFails(t *testing.T) {
	ctx := context.Background()
	store := memstore.New(memstore.Config{})
	d, err := datafile.Parse(readTestData(t))
	require.NoError(t, err)
	_, err = d.Apply(ctx, store, failingHasher{}, fixedNow)
	require.Error(t, err)
	roles, err := store.Roles().ListRoles(ctx)
	require.NoError(t, err)
	assert.Empty(t, roles)
	params, err := store.Parameters().ListParameters(ctx)
	require.NoError(t, err)
	assert.Empty(t, params)
	users, err := store.Users().ListUsers(ctx, storage.UserQuery{Limit: 100})
	require.NoError(t, err)
	assert.Empty(t, users)
}

func TestApplyRefusesAnInvalidDataFile(t *testing.T) {
	ctx := context.Background()
	store := memstore.New(memstore.Config{})
	d, err := datafile.Parse(readTestData(t))
	require.NoError(t, err)
	d.Roles[0].Base = []string{"sales"} // a cycle made in code
	_, err = d.Apply(ctx, store, testHasher(t), fixedNow)
	require.ErrorIs(t, err, permissions.ErrCycle)
	roles, err := store.Roles().ListRoles(ctx)
	require.NoError(t, err)
	assert.Empty(t, roles, "nothing written")
}

func FuzzParse(f *testing.F) {
	f.Add(readTestDataF(f))
	f.Add([]byte(`{"roles":[{"code":"a","base":["a"]}]}`))
	f.Add([]byte(`{"users":[{"username":"ab","password":"12345678","company":"abc"}]}`))
	f.Add([]byte(`{"schema":{"A":["x","x"]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := datafile.Parse(b)
		if err != nil {
			var de *datafile.Error
			if !errors.As(err, &de) {
				t.Fatalf("error is not a *Error: %v", err)
			}
			return
		}
		// Whatever parses must validate again.
		if err := d.Validate(); err != nil {
			t.Fatalf("parsed file does not validate: %v", err)
		}
	})
}

func readTestDataF(f *testing.F) []byte {
	b, err := os.ReadFile(filepath.Join("..", "testdata", "datafile.json"))
	if err != nil {
		f.Fatal(err)
	}
	return b
}

func TestParseRefusesUsernamesThatDifferOnlyInCase(t *testing.T) {
	tests := []struct {
		name     string
		username string // given to users[2]
		msg      string // "" means the file is valid
	}{
		{"upper case of users[0]", "ADMIN", `users[2].username: "ADMIN" equals users[0].username "admin" up to case`},
		{"mixed case of users[1]", "Alice", `users[2].username: "Alice" equals users[1].username "alice" up to case`},
		{"exact repeat", "alice", `users[2].username: duplicate username "alice" (also users[1])`},
		{"distinct name", "Alicia", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := datafile.Parse(edit(t, func(m map[string]any) {
				obj(list(m["users"])[2])["username"] = tc.username
			}))
			if tc.msg == "" {
				require.NoError(t, err)
				return
			}
			var de *datafile.Error
			require.ErrorAs(t, err, &de)
			assert.Equal(t, "users[2].username", de.Place)
			assert.Equal(t, "data file: "+tc.msg, err.Error())
		})
	}
}

func TestParseChecksGrantsAgainstTheSchema(t *testing.T) {
	withCreditLimit := func(m map[string]any) {
		obj(m["schema"])["Customer"] = []any{"name", "type", "credit_limit"}
	}
	tests := []struct {
		name string
		edit func(m map[string]any)
		msg  string // the whole error; "" means the file is valid
	}{
		{"attribute typo", func(m map[string]any) {
			withCreditLimit(m)
			obj(obj(list(m["roles"])[1])["attributes"])["Customer"] = map[string]any{"creditlimit": "hidden", "*": "read"}
		}, "data file: roles[1].attributes.Customer.creditlimit: not in schema (did you mean credit_limit?)"},
		{"entity typo in entities", func(m map[string]any) {
			obj(list(m["roles"])[1])["entities"] = map[string]any{"Custmer": []any{"read"}}
		}, "data file: roles[1].entities.Custmer: not in schema (did you mean Customer?)"},
		{"entity typo in attributes", func(m map[string]any) {
			obj(list(m["roles"])[0])["attributes"] = map[string]any{"Prodcut": map[string]any{"tags": "hidden"}}
		}, "data file: roles[0].attributes.Prodcut: not in schema (did you mean Product?)"},
		{"attribute of the wildcard entity", func(m map[string]any) {
			obj(list(m["roles"])[0])["attributes"] = map[string]any{"*": map[string]any{"prise": "read"}}
		}, "data file: roles[0].attributes.*.prise: not in schema (did you mean price?)"},
		{"declared names", func(m map[string]any) {
			withCreditLimit(m)
			obj(obj(list(m["roles"])[1])["attributes"])["Customer"] = map[string]any{"credit_limit": "hidden", "*": "read"}
		}, ""},
		{"no schema: names are not checked", func(m map[string]any) {
			delete(m, "schema")
			obj(list(m["roles"])[1])["entities"] = map[string]any{"Custmer": []any{"read"}}
		}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := datafile.Parse(edit(t, tc.edit))
			if tc.msg == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, permissions.ErrNotInSchema)
			var de *datafile.Error
			require.ErrorAs(t, err, &de)
			assert.Equal(t, tc.msg, err.Error())
		})
	}
}

// The demo data must show the Jmix worked example to a sales user: full
// access to Customer, Product read-only except tags, which is hidden — and
// say so without a warning.
func TestDemoDataHidesProductTagsFromSales(t *testing.T) {
	for _, path := range []string{filepath.Join("..", "testdata", "datafile.json"), filepath.Join("..", "examples", "server", "demo.json")} {
		t.Run(path, func(t *testing.T) {
			b, err := os.ReadFile(path)
			require.NoError(t, err)
			d, err := datafile.Parse(b)
			require.NoError(t, err)
			set, err := permissions.Compile(permissions.CompileConfig{Roles: d.Roles, Held: []string{"sales"}})
			require.NoError(t, err)
			assert.Equal(t, permissions.Hidden, set.Attribute("Product", "tags"))
			assert.Equal(t, permissions.Read, set.Attribute("Product", "price"))
			assert.Equal(t, permissions.Modify, set.Attribute("Customer", "name"))
			assert.False(t, set.Can("Customer", permissions.OpDelete))
		})
	}
}

func TestDataFileWarnsOfAHiddenGrantABaseRoleOverrides(t *testing.T) {
	overridden := func(m map[string]any) {
		// The viewer role shows every attribute, so sales's own "tags
		// hidden" hides nothing from its holders.
		obj(list(m["roles"])[0])["attributes"] = map[string]any{"*": map[string]any{"*": "read"}}
	}
	want := []datafile.Warning{{
		Place:   "roles[1].attributes.Product.tags",
		Message: `hidden has no effect: base role "viewer" grants *:* read (roles[0]) and roles combine by union, so holders of "sales" get read; hide it in "viewer" too or grant less there`,
	}}
	tests := []struct {
		name string
		edit func(m map[string]any)
		want []datafile.Warning
	}{
		{"overridden by the base role", overridden, want},
		{"hidden in the base role too", func(map[string]any) {}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := datafile.Parse(edit(t, tc.edit))
			require.NoError(t, err, "a warning does not stop the file")
			assert.Equal(t, tc.want, d.Warnings())

			rep, err := d.Apply(context.Background(), memstore.New(memstore.Config{}), testHasher(t), fixedNow)
			require.NoError(t, err)
			assert.Equal(t, tc.want, rep.Warnings, "Apply reports them")
		})
	}
	assert.Equal(t, `data file: roles[1].attributes.Product.tags: hidden has no effect: base role "viewer" grants *:* read (roles[0]) and roles combine by union, so holders of "sales" get read; hide it in "viewer" too or grant less there`, want[0].String())
}

func TestParseRefusesRepeatedMembersAndInvalidUTF8(t *testing.T) {
	for _, tc := range []struct{ name, in, place, msg string }{
		{"admin up to case", `{"users":[{"username":"bob","company":"acme","password":"bob-password","admin":false,"ADMIN":true}]}`, "users[0]", `ADMIN: given more than once (equal to "admin" up to case)`},
		{"a grant twice", `{"roles":[{"code":"r","attributes":{"Customer":{"credit_limit":"hidden","credit_limit":"read"}}}]}`, "roles[0].attributes.Customer", "credit_limit: given more than once"},
		{"invalid UTF-8", "{\"users\":[{\"username\":\"Bo\xffb\",\"company\":\"acme\"}]}", "", "invalid UTF-8"},
		{"lone surrogate", `{"users":[{"username":"b\ud800","company":"acme"}]}`, "", "invalid UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := datafile.Parse([]byte(tc.in))
			var de *datafile.Error
			require.ErrorAs(t, err, &de)
			assert.Equal(t, tc.place, de.Place)
			assert.Contains(t, de.Err.Error(), tc.msg)
		})
	}
}
