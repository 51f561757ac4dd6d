package datafile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/gatehouse-go/gatehouse/internal/strictjson"
	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/user"
)

// MaxSize is the largest data file Parse reads: 64 MiB.
const MaxSize = 64 << 20

// File is the gatehouse data file: everything a deployment starts with.
// Read it with [Read] or [Parse], which validate all of it,
// and write it to a store with [File.Apply].
//
// The service, schema, parameters and roles follow the file: applying it
// makes the store's match it. Users are seeded: a user missing from the store
// is created, a user that exists (by username) is left exactly as it is, with
// its password, sessions and run-time changes.
type File struct {
	Service Service        `json:"service"`
	Schema  storage.Schema `json:"schema"`
	// Specifics declares specific permissions of the deployment beside
	// those its roles grant, such as operations only admins (or a "*"
	// grant) may run. The catalogue that GET /permissions and the session
	// document's bp_process_roles_list enumerate is every name a role
	// grants plus these (permissions.Set.Catalogue). Names are unique and
	// may not be "*".
	Specifics  []string            `json:"specifics,omitempty"`
	Parameters []storage.Parameter `json:"parameters"`
	Roles      []permissions.Role  `json:"roles"`
	Users      []User              `json:"users"`
}

// User is a user of the data file. It gives either Password or
// PasswordHash (an existing bcrypt or gatehouse hash), never both.
type User struct {
	Username     string            `json:"username"`
	Password     string            `json:"password,omitempty"`
	PasswordHash string            `json:"password_hash,omitempty"`
	Name         string            `json:"name,omitempty"`
	Email        string            `json:"email,omitempty"`
	Phone        string            `json:"phone,omitempty"`
	Company      string            `json:"company"`
	Locale       string            `json:"locale,omitempty"`
	Timezone     string            `json:"timezone,omitempty"`
	Access       user.Access       `json:"access,omitempty"`
	Admin        bool              `json:"admin,omitempty"`
	Blocked      bool              `json:"blocked,omitempty"`
	Roles        []string          `json:"roles,omitempty"`
	Attributes   map[string]string `json:"attributes,omitempty"`
	Parameters   map[string]string `json:"parameters,omitempty"`
}

// user returns the User the data file describes, without id or hash.
func (d *User) user() user.User {
	return user.User{
		Username:   d.Username,
		Name:       d.Name,
		Email:      d.Email,
		Phone:      d.Phone,
		Company:    d.Company,
		Locale:     d.Locale,
		Timezone:   d.Timezone,
		Access:     d.Access,
		Admin:      d.Admin,
		Blocked:    d.Blocked,
		Roles:      slices.Clone(d.Roles),
		Attributes: maps.Clone(d.Attributes),
		Parameters: maps.Clone(d.Parameters),
	}
}

// Error is a data file mistake, with the place it is at, such as
// "users[3].email" or "roles[0].entities.Customer".
type Error struct {
	// Place is a path into the file; "" for the file as a whole.
	Place string
	// Err says what is wrong.
	Err error
}

// Error returns "Place: Err".
func (e *Error) Error() string {
	if e.Place == "" {
		return "data file: " + e.Err.Error()
	}
	return "data file: " + e.Place + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

func placeErr(place string, format string, args ...any) *Error {
	return &Error{Place: place, Err: fmt.Errorf(format, args...)}
}

// Read reads and validates the data file at path.
func Read(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("data file: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("data file: %w", err)
	}
	return Parse(b)
}

// rawFile is the first pass of parsing: the top level, strictly, with
// each list element kept raw so that its errors can name its index.
type rawFile struct {
	Service    json.RawMessage   `json:"service"`
	Schema     json.RawMessage   `json:"schema"`
	Specifics  json.RawMessage   `json:"specifics"`
	Parameters []json.RawMessage `json:"parameters"`
	Roles      []json.RawMessage `json:"roles"`
	Users      []json.RawMessage `json:"users"`
}

// Parse parses and validates a data file. Every mistake is a
// *Error naming its place; nothing is returned unless the whole file
// is valid.
func Parse(b []byte) (*File, error) {
	if len(b) > MaxSize {
		return nil, placeErr("", "larger than %d bytes", MaxSize)
	}
	// encoding/json would keep the last of two members equal up to case
	// ("admin":false,"ADMIN":true) and turn invalid UTF-8 into U+FFFD.
	var dup *strictjson.DuplicateError
	switch err := strictjson.Check(b); {
	case errors.Is(err, strictjson.ErrInvalidUTF8):
		return nil, placeErr("", "invalid UTF-8 (encoding)")
	case errors.As(err, &dup):
		return nil, &Error{Place: dup.Path, Err: fmt.Errorf("%s", strings.TrimPrefix(dup.Error(), dup.Path+"."))}
	}
	var raw rawFile
	if err := decodeStrict(b, &raw); err != nil {
		return nil, jsonPlaceErr("", err)
	}
	d := &File{}
	if len(raw.Service) > 0 {
		if err := decodeStrict(raw.Service, &d.Service); err != nil {
			return nil, jsonPlaceErr("service", err)
		}
	}
	if len(raw.Schema) > 0 {
		if err := decodeStrict(raw.Schema, &d.Schema); err != nil {
			return nil, jsonPlaceErr("schema", err)
		}
	}
	if len(raw.Specifics) > 0 {
		if err := decodeStrict(raw.Specifics, &d.Specifics); err != nil {
			return nil, jsonPlaceErr("specifics", err)
		}
	}
	d.Parameters = make([]storage.Parameter, len(raw.Parameters))
	for i, m := range raw.Parameters {
		if err := decodeStrict(m, &d.Parameters[i]); err != nil {
			return nil, jsonPlaceErr(fmt.Sprintf("parameters[%d]", i), err)
		}
	}
	d.Roles = make([]permissions.Role, len(raw.Roles))
	for i, m := range raw.Roles {
		if err := decodeStrict(m, &d.Roles[i]); err != nil {
			return nil, jsonPlaceErr(fmt.Sprintf("roles[%d]", i), err)
		}
	}
	d.Users = make([]User, len(raw.Users))
	for i, m := range raw.Users {
		if err := decodeStrict(m, &d.Users[i]); err != nil {
			return nil, jsonPlaceErr(fmt.Sprintf("users[%d]", i), err)
		}
	}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	return d, nil
}

func decodeStrict(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("trailing data after the JSON value")
	}
	return nil
}

// jsonPlaceErr names the place of a decoding error: the element's place
// joined with the field path encoding/json reports.
func jsonPlaceErr(place string, err error) *Error {
	var (
		typ    *json.UnmarshalTypeError
		syntax *json.SyntaxError
	)
	join := func(field string) string {
		switch {
		case field == "":
			return place
		case place == "":
			return field
		}
		return place + "." + field
	}
	switch {
	case errors.As(err, &typ):
		return &Error{Place: join(typ.Field), Err: fmt.Errorf("must be %s, not JSON %s", strictjson.KindName(typ.Type), typ.Value)}
	case errors.As(err, &syntax):
		return &Error{Place: place, Err: fmt.Errorf("malformed JSON at byte %d: %s", syntax.Offset, syntax.Error())}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return &Error{Place: place, Err: errors.New("malformed JSON: unexpected end")}
	}
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		return &Error{Place: place, Err: fmt.Errorf("unknown field %s", name)}
	}
	return &Error{Place: place, Err: errors.New(strings.TrimPrefix(msg, "json: "))}
}
