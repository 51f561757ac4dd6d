package gatehouse

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/gatehouse-go/gatehouse/internal/strictjson"
)

func errBodyTooLarge(limit int64) *Error {
	return errorf(http.StatusRequestEntityTooLarge, "request body larger than %d bytes", limit)
}

// decodeJSON reads the request body, which must be one JSON value of
// Content-Type application/json, into v. It refuses invalid UTF-8 and lone
// surrogate escapes (400: never decoded as U+FFFD), a member name given
// twice in one object, exactly or up to case (400 naming it:
// encoding/json would keep the last), unknown fields (400),
// malformed JSON (400, with the byte offset), values of the wrong type (400,
// naming the field), trailing data (400), bodies over the limit (413) and
// other content types (415).
func (g *Gatehouse) decodeJSON(r *http.Request, v any) error {
	if err := requireContentType(r, "application/json"); err != nil {
		return err
	}
	data, err := io.ReadAll(r.Body)
	if err != nil {
		return g.jsonError(err)
	}
	var dup *strictjson.DuplicateError
	switch err := strictjson.Check(data); {
	case errors.Is(err, strictjson.ErrInvalidUTF8):
		return errorf(http.StatusBadRequest, "body: invalid UTF-8 (encoding)")
	case errors.As(err, &dup):
		return errorf(http.StatusBadRequest, "%s (duplicate)", dup.Error())
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return g.jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		if err != nil {
			return g.jsonError(err)
		}
		return errorf(http.StatusBadRequest, "body: must hold a single JSON value")
	}
	return nil
}

// requireContentType answers 415 unless the request's media type is want
// (parameters such as charset=utf-8 are allowed; another charset is not).
func requireContentType(r *http.Request, want string) error {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return errorf(http.StatusUnsupportedMediaType, "Content-Type must be %s", want)
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != want {
		return errorf(http.StatusUnsupportedMediaType, "Content-Type must be %s", want)
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return errorf(http.StatusUnsupportedMediaType, "charset must be utf-8")
	}
	return nil
}

// jsonError turns a decoding error into a 400 or 413 that names the problem.
func (g *Gatehouse) jsonError(err error) *Error {
	var (
		syntax  *json.SyntaxError
		typ     *json.UnmarshalTypeError
		tooBig  *http.MaxBytesError
		invalid *json.InvalidUnmarshalError
	)
	switch {
	case errors.As(err, &tooBig):
		return errBodyTooLarge(tooBig.Limit)
	case errors.Is(err, io.EOF):
		return errorf(http.StatusBadRequest, "body: empty; a JSON value is required")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errorf(http.StatusBadRequest, "body: malformed JSON: unexpected end")
	case errors.As(err, &syntax):
		return errorf(http.StatusBadRequest, "body: malformed JSON at byte %d: %s", syntax.Offset, syntax.Error())
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "body"
		}
		return errorf(http.StatusBadRequest, "%s: must be %s, not JSON %s", field, strictjson.KindName(typ.Type), typ.Value)
	case errors.As(err, &invalid):
		return errInternal(err)
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return errorf(http.StatusBadRequest, "%s: unknown field", name)
	}
	return &Error{Status: http.StatusBadRequest, Message: fmt.Sprintf("body: %v", err), Err: err}
}
