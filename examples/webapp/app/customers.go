package app

import (
	"errors"
	"net/http"
	"net/mail"
	"strings"
	"sync"

	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/session"
)

// customers are the app's own data: records of the Customer entity by id,
// in memory. Every attribute value is a string.
type customers struct {
	mu    sync.Mutex
	attrs []string
	ids   []string // in order
	rows  map[string]map[string]string
}

// seed are the first customers; an attribute of the schema that they do not
// name starts empty.
var seed = []struct {
	id     string
	fields map[string]string
}{
	{"c1", map[string]string{"name": "Acme Corporation", "email": "orders@acme.example", "phone": "+1 555 0100", "city": "Berlin"}},
	{"c2", map[string]string{"name": "Globex", "email": "info@globex.example", "phone": "+7 727 555 0101", "city": "Almaty"}},
	{"c3", map[string]string{"name": "Initech", "email": "hello@initech.example", "phone": "+351 21 555 0102", "city": "Lisbon"}},
}

func newCustomers(attrs []string) *customers {
	c := &customers{attrs: attrs, rows: map[string]map[string]string{}}
	for _, s := range seed {
		row := map[string]string{}
		for _, attr := range attrs {
			row[attr] = s.fields[attr]
		}
		c.ids = append(c.ids, s.id)
		c.rows[s.id] = row
	}
	return c
}

// customer is one record as a user may see it.
type customer struct {
	ID string
	// Values are the attributes the user may read (after FilterRecord).
	Values map[string]any
}

// list returns every customer, each a fresh record filtered by set (the
// field guard removes what the user may not read).
func (c *customers) list(set *permissions.Set) []customer {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]customer, 0, len(c.ids))
	for _, id := range c.ids {
		rec := make(map[string]any, len(c.attrs))
		for k, v := range c.rows[id] {
			rec[k] = v
		}
		out = append(out, customer{ID: id, Values: set.FilterRecord(Entity, rec)})
	}
	return out
}

var errNoCustomer = errors.New("no such customer")

// update writes the attributes of rec to the customer id, all or nothing.
func (c *customers) update(id string, rec map[string]string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	row, ok := c.rows[id]
	if !ok {
		return errNoCustomer
	}
	for k, v := range rec {
		row[k] = v
	}
	return nil
}

func (c *customers) exists(id string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.rows[id]
	return ok
}

// homePage is the data of the home page.
type homePage struct {
	// CanRead: the user may read customers at all.
	CanRead bool
	// Columns are the attributes the user may read, in schema order.
	Columns []string
	// CanEdit: the user may update customers; Editable are the attributes
	// the edit forms hold (those the user may modify).
	CanEdit  bool
	Editable []string
	Rows     []customer
	// Login is the login link for a visitor.
	Login string
}

// home serves GET /: a greeting and a login link for a visitor; for a user,
// the customers table as the user's permissions shape it.
func (a *App) home(w http.ResponseWriter, r *http.Request) {
	v := newView(r, "Customers")
	p := homePage{Login: a.g.LoginURL("")}
	auth, ok := session.FromContext(r.Context())
	if ok {
		set := auth.Set
		p.CanRead = set.Can(Entity, permissions.OpRead)
		p.CanEdit = set.Can(Entity, permissions.OpUpdate)
		for _, attr := range a.attrs {
			switch set.Attribute(Entity, attr) {
			case permissions.Modify:
				p.Editable = append(p.Editable, attr)
				fallthrough
			case permissions.Read:
				p.Columns = append(p.Columns, attr)
			}
		}
		if p.CanRead {
			p.Rows = a.customers.list(set)
		}
		if q := r.URL.Query(); q.Get("done") == "saved" && a.customers.exists(q.Get("id")) {
			v.Flash = "Customer " + q.Get("id") + " saved."
		}
	}
	v.Page = p
	a.render(w, r, http.StatusOK, "home", v)
}

// maxValue is the longest attribute value, in characters.
const maxValue = 256

// editCustomer serves POST /customers/{id}, behind RequireLogin and
// RequireEntity(Customer, update): the form's fields must be attributes of
// the schema, every one of them modifiable by the user (the write guard,
// Set.CheckWrite), and valid. Then the customer is changed and the browser
// sent home; otherwise nothing changes.
func (a *App) editCustomer(w http.ResponseWriter, r *http.Request) {
	auth, ok := session.FromContext(r.Context())
	if !ok {
		a.fail500(w, r, errNoAuth)
		return
	}
	id := r.PathValue("id")
	if !a.customers.exists(id) {
		a.refuse(w, r, http.StatusNotFound, "There is no such customer.")
		return
	}
	form, f := readForm(w, r, a.attrs...)
	if f != nil {
		a.refuse(w, r, f.status, f.message)
		return
	}
	if len(form) == 0 {
		a.refuse(w, r, http.StatusBadRequest, "The form changes nothing.")
		return
	}
	rec := make(map[string]any, len(form))
	for k, vs := range form {
		rec[k] = vs[0]
	}
	// The write guard: a forged form may name any attribute of the schema.
	if err := auth.Set.CheckWrite(Entity, rec); err != nil {
		var ae *permissions.AttributeError
		if errors.As(err, &ae) {
			a.refuse(w, r, http.StatusForbidden, "You may not change "+quoteList(ae.Attributes)+" of a customer. Nothing was changed.")
			return
		}
		a.fail500(w, r, err)
		return
	}
	values := make(map[string]string, len(form))
	for _, attr := range a.attrs { // in schema order, for the first error
		vs, ok := form[attr]
		if !ok {
			continue
		}
		if f := checkValue(attr, vs[0]); f != nil {
			a.refuse(w, r, f.status, f.message+" Nothing was changed.")
			return
		}
		values[attr] = vs[0]
	}
	if err := a.customers.update(id, values); err != nil {
		a.refuse(w, r, http.StatusNotFound, "There is no such customer.")
		return
	}
	http.Redirect(w, r, "/?done=saved&id="+id, http.StatusSeeOther)
}

// checkValue validates an attribute value: text of at most maxValue
// characters; name not empty; an e-mail address, when given, a bare one.
func checkValue(attr, v string) *failure {
	if f := checkText(attr, v, maxValue); f != nil {
		return f
	}
	switch attr {
	case "name":
		if v == "" {
			return fail(http.StatusBadRequest, "Name: must not be empty.")
		}
	case "email":
		if v != "" {
			if addr, err := mail.ParseAddress(v); err != nil || addr.Address != v || addr.Name != "" {
				return fail(http.StatusBadRequest, "E-mail address: must be a bare address such as name@example.com.")
			}
		}
	}
	return nil
}

// quoteList writes names as "a", "b" and "c".
func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = `"` + n + `"`
	}
	switch len(q) {
	case 0:
		return ""
	case 1:
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " and " + q[len(q)-1]
}

// fail500 answers an unexpected error: logged, never shown.
func (a *App) fail500(w http.ResponseWriter, r *http.Request, err error) {
	a.log.ErrorContext(r.Context(), "webapp: request failed", "path", r.URL.Path, "err", err)
	a.refuse(w, r, http.StatusInternalServerError, "Something went wrong. Nothing was changed; try again in a moment.")
}
