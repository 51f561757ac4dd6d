package app

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gatehouse-go/gatehouse"
	"github.com/gatehouse-go/gatehouse/manage"
	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/user"
)

const permUsers = manage.PermUsers

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticDir embed.FS

// staticFS serves /static/style.css.
var staticFS fs.FS = staticDir

// pageNames are the templates of templates/, each rendered inside
// layout.html.
var pageNames = []string{"home", "login", "account", "admin", "refused"}

// parsePages parses each page with the layout.
func parsePages() (map[string]*template.Template, error) {
	funcs := template.FuncMap{
		"has":  func(list []string, s string) bool { return slices.Contains(list, s) },
		"join": func(list []string) string { return strings.Join(list, ", ") },
	}
	pages := make(map[string]*template.Template, len(pageNames))
	for _, name := range pageNames {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", name, err)
		}
		pages[name] = t
	}
	return pages, nil
}

// view is what the layout shows around every page.
type view struct {
	Title string
	// User is the logged-in user, nil for a visitor.
	User *user.User
	// CanManage shows the link to the admin page.
	CanManage bool
	// Flash is the outcome of the last action, in words; FlashError says it
	// is a refusal.
	Flash      string
	FlashError bool
	// Page is the page's own data.
	Page any
}

// newView returns the view of r's caller (anonymous without a session).
func newView(r *http.Request, title string) view {
	v := view{Title: title}
	if a, ok := session.FromContext(r.Context()); ok {
		v.User = &a.User
		v.CanManage = a.Set.Specific(permUsers)
	}
	return v
}

// render writes page with status. The page is rendered to a buffer first, so
// that a template error is a clean 500, never half a page.
func (a *App) render(w http.ResponseWriter, r *http.Request, status int, page string, v view) {
	var buf bytes.Buffer
	if err := a.pages[page].Execute(&buf, v); err != nil {
		a.log.ErrorContext(r.Context(), "webapp: rendering a page", "page", page, "err", err)
		http.Error(w, "Something went wrong while showing this page.", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store") // pages show personal data
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// refusedPage is the data of the refused page.
type refusedPage struct {
	Heading string
	Message string
	// Login is a link to the login page, for a caller who is not logged
	// in.
	Login string
}

// refused answers a refusal of gatehouse's middleware (Config.Web.Refused)
// and the app's own refusals with an HTML page whose message says what was
// refused, in words.
func (a *App) refused(w http.ResponseWriter, r *http.Request, refusal *gatehouse.Error) {
	p := refusedPage{}
	switch {
	case refusal.Status == http.StatusUnauthorized:
		p.Message = "You are not logged in, or your session has ended. Log in and try again."
		next := ""
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			next = r.URL.RequestURI()
		}
		p.Login = a.g.LoginURL(next)
	case refusal.Reason == gatehouse.RefusedCrossOrigin:
		p.Message = "This form was sent from another web site, so it was refused. Nothing was changed."
	case refusal.Reason == gatehouse.RefusedReadOnly:
		p.Message = "Your account is read-only. Nothing was changed."
	case refusal.Reason == gatehouse.RefusedForbidden:
		p.Message = "You may not do this (it needs " + strings.TrimPrefix(refusal.Message, "forbidden: ") + "). Nothing was changed."
	case refusal.Status == http.StatusForbidden:
		p.Message = "You may not do this: " + refusal.Message + ". Nothing was changed."
	case refusal.Status == http.StatusTooManyRequests:
		p.Message = "Too many requests. " + retryIn(refusal.RetryAfter)
	case refusal.Status >= 500:
		p.Message = "The service is unavailable. Try again in a moment."
	default:
		p.Message = refusal.Message
	}
	a.refuse(w, r, refusal.Status, p.Message, p.Login)
}

// refuse answers a refusal with the refused page: status, the message and,
// when login is set, a link to log in.
func (a *App) refuse(w http.ResponseWriter, r *http.Request, status int, message string, login ...string) {
	p := refusedPage{Message: message, Heading: "Refused"}
	switch {
	case status == http.StatusUnauthorized:
		p.Heading = "Not logged in"
	case status == http.StatusNotFound:
		p.Heading = "Not found"
	case status >= 500:
		p.Heading = "Unavailable"
	case status != http.StatusForbidden:
		p.Heading = "Not done"
	}
	if len(login) > 0 {
		p.Login = login[0]
	}
	v := newView(r, p.Heading)
	v.Page = p
	a.render(w, r, status, "refused", v)
}

// retryIn says how long to wait, in words.
func retryIn(d time.Duration) string {
	s := int64((d + time.Second - 1) / time.Second)
	switch {
	case s <= 0:
		return "Try again later."
	case s < 60:
		return fmt.Sprintf("Try again in %d %s.", s, plural(s, "second", "seconds"))
	default:
		m := (s + 59) / 60
		return fmt.Sprintf("Try again in %d %s.", m, plural(m, "minute", "minutes"))
	}
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// failure is a refused form: the status and what to tell the user. Nothing
// was changed.
type failure struct {
	status  int
	message string
}

func (f *failure) Error() string { return f.message }

func fail(status int, format string, args ...any) *failure {
	return &failure{status: status, message: fmt.Sprintf(format, args...)}
}

// maxForm caps the body of the app's forms.
const maxForm = 64 << 10

// readForm parses r's form body and checks its fields: only the names in
// fields (a name ending in "[]" may repeat, written without the brackets in
// the form), each at most once, valid UTF-8. The query is not read. The
// answer maps each name to its values.
func readForm(w http.ResponseWriter, r *http.Request, fields ...string) (url.Values, *failure) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/x-www-form-urlencoded" {
		return nil, fail(http.StatusUnsupportedMediaType, "The form was not sent as a form.")
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, fail(http.StatusRequestEntityTooLarge, "The form is too large.")
		}
		return nil, fail(http.StatusBadRequest, "The form could not be read.")
	}
	known := make(map[string]bool, len(fields)) // name → may repeat
	for _, f := range fields {
		name, many := strings.CutSuffix(f, "[]")
		known[name] = many
	}
	for k, vs := range r.PostForm {
		many, ok := known[k]
		if !ok {
			if !utf8.ValidString(k) {
				return nil, fail(http.StatusBadRequest, "The form has a field whose name is not valid text.")
			}
			return nil, fail(http.StatusBadRequest, "The form has a field %q that this page does not know.", k)
		}
		if len(vs) > 1 && !many {
			return nil, fail(http.StatusBadRequest, "The form gives %q more than once.", k)
		}
		for _, v := range vs {
			if !utf8.ValidString(v) {
				return nil, fail(http.StatusBadRequest, "%s: is not valid text.", label(k))
			}
		}
	}
	return r.PostForm, nil
}

// checkText refuses a text field value that is too long or holds control
// characters (a password is not a text field: gatehouse checks it).
func checkText(field, v string, maxLen int) *failure {
	if n := utf8.RuneCountInString(v); n > maxLen {
		return fail(http.StatusBadRequest, "%s: is too long: at most %d characters, got %d.", label(field), maxLen, n)
	}
	for _, c := range v {
		if unicode.IsControl(c) {
			return fail(http.StatusBadRequest, "%s: holds a control character.", label(field))
		}
	}
	return nil
}

// labels name the fields in messages.
var labels = map[string]string{
	"username": "Username", "password": "Password", "name": "Name", "email": "E-mail address",
	"phone": "Phone", "roles": "Roles", "current_password": "Current password",
	"new_password": "New password", "company_key": "Company",
	"code": "Code",
}

// label names a form field or attribute in a message.
func label(field string) string {
	if l, ok := labels[field]; ok {
		return l
	}
	if field == "" {
		return "A field"
	}
	return fmt.Sprintf("%q", field)
}

// fieldMessage words a user validation error: "E-mail address: must be …",
// one sentence per broken rule; rename maps gatehouse's field names to the
// form's (password → new_password). ok is false for any other error.
func fieldMessage(err error, rename map[string]string) (msg string, ok bool) {
	var errs user.ValidationErrors
	var fe *user.FieldError
	switch {
	case errors.As(err, &errs):
	case errors.As(err, &fe):
		errs = user.ValidationErrors{fe}
	default:
		return "", false
	}
	var b strings.Builder
	for i, fe := range errs {
		if i > 0 {
			b.WriteString(" ")
		}
		field := fe.Field
		if r, ok := rename[field]; ok {
			field = r
		}
		fmt.Fprintf(&b, "%s: %s.", label(field), strings.TrimSuffix(fe.Message, "."))
	}
	return b.String(), true
}
