package app_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse/datafile"
	"github.com/gatehouse-go/gatehouse/examples/webapp/app"
)

// row is the text of customer id's cells, by attribute.
func row(p *page, id string) map[string]string {
	out := map[string]string{}
	for _, td := range p.all(`table#customers tr[data-id=` + id + `] td[data-col]`) {
		out[attrOf(td, "data-col")] = textOf(td)
	}
	return out
}

func TestViewerSeesTheTableWithoutEditForms(t *testing.T) {
	e := start(t, nil)
	bob := e.loggedIn(t, "bob")
	p := bob.get("/")
	require.Equal(t, http.StatusOK, p.status)
	assert.Equal(t, []string{"name", "phone", "city"}, p.attrs("table#customers th[data-attr]", "data-attr"),
		"the schema's Customer attributes but email, which the viewer role hides")
	assert.Equal(t, []string{"c1", "c2", "c3"}, p.attrs("table#customers tr[data-id]", "data-id"))
	assert.Equal(t, map[string]string{"name": "Acme Corporation", "phone": "+1 555 0100", "city": "Berlin"}, row(p, "c1"))
	assert.NotContains(t, p.body, "orders@acme.example", "the hidden attribute is not on the page at all")
	assert.Zero(t, p.count("form.edit"), "no edit forms for a user who may not update")
	assert.Zero(t, p.count("button.save"))
	assert.Zero(t, p.count(`a[href="/admin"]`), "no link to the admin page without users_manage")
}

func TestForgedEditOfAViewerIsRefused(t *testing.T) {
	e := start(t, nil)
	bob := e.loggedIn(t, "bob")
	for _, form := range []url.Values{
		{"name": {"Forged Name"}},
		{"name": {"Forged Name"}, "email": {"forged@example.com"}},
		{"city": {"Forged City"}},
	} {
		p := bob.post("/customers/c1", form)
		assert.Equal(t, http.StatusForbidden, p.status, form)
		assert.Contains(t, p.text("#refused"), "Customer:update", form)
	}
	carol := e.loggedIn(t, "carol")
	assert.Equal(t, map[string]string{"name": "Acme Corporation", "email": "orders@acme.example", "phone": "+1 555 0100", "city": "Berlin"},
		row(carol.get("/"), "c1"), "nothing changed")
}

func TestSalesEditsACustomer(t *testing.T) {
	e := start(t, nil)
	carol := e.loggedIn(t, "carol")
	p := carol.get("/")
	assert.Equal(t, []string{"name", "email", "phone", "city"}, p.attrs("table#customers th[data-attr]", "data-attr"))
	require.Equal(t, 3, p.count("form.edit"))
	assert.Equal(t, "/customers/c2", p.attr("tr[data-id=c2] form.edit", "action"))
	assert.Equal(t, []string{"name", "email", "phone", "city"}, p.attrs("tr[data-id=c2] form.edit input", "name"))
	assert.Equal(t, "info@globex.example", p.attr("tr[data-id=c2] form.edit input[name=email]", "value"))
	assert.Equal(t, 1, p.count("tr[data-id=c2] form.edit button.save"))

	p = carol.post("/customers/c2", url.Values{"name": {"Globex Ltd"}, "email": {"sales@globex.example"}, "phone": {"+7 727 555 0199"}, "city": {"Astana"}})
	require.Equal(t, http.StatusSeeOther, p.status, p.body)
	require.Equal(t, "/?done=saved&id=c2", p.location)
	p = carol.get(p.location)
	assert.Equal(t, "Customer c2 saved.", p.text("#flash"))
	assert.Equal(t, map[string]string{"name": "Globex Ltd", "email": "sales@globex.example", "phone": "+7 727 555 0199", "city": "Astana"}, row(p, "c2"))

	// Others see the change, within their permissions.
	p = e.loggedIn(t, "bob").get("/")
	assert.Equal(t, map[string]string{"name": "Globex Ltd", "phone": "+7 727 555 0199", "city": "Astana"}, row(p, "c2"))
}

func TestInvalidEditChangesNothing(t *testing.T) {
	e := start(t, nil)
	carol := e.loggedIn(t, "carol")
	before := row(carol.get("/"), "c1")
	for _, tc := range []struct {
		form   url.Values
		status int
		want   string
	}{
		{url.Values{"name": {"New"}, "email": {"not an address"}}, http.StatusBadRequest, "E-mail address: must be a bare address"},
		{url.Values{"name": {""}}, http.StatusBadRequest, "Name: must not be empty."},
		{url.Values{"name": {"New"}, "city": {strings.Repeat("x", 257)}}, http.StatusBadRequest, `"city": is too long`},
		{url.Values{"name": {"New\x00"}}, http.StatusBadRequest, "Name: holds a control character."},
		{url.Values{"name": {"New"}, "credit_limit": {"1000000"}}, http.StatusBadRequest, `field "credit_limit" that this page does not know`},
		{url.Values{"name": {"New", "Newer"}}, http.StatusBadRequest, `gives "name" more than once`},
		{url.Values{}, http.StatusBadRequest, "changes nothing"},
	} {
		p := carol.post("/customers/c1", tc.form)
		assert.Equal(t, tc.status, p.status, tc.form)
		assert.Contains(t, p.text("#refused"), tc.want, tc.form)
	}
	assert.Equal(t, http.StatusNotFound, carol.post("/customers/c9", url.Values{"name": {"New"}}).status)
	assert.Equal(t, before, row(carol.get("/"), "c1"), "nothing changed")
}

func TestPageEscapesWhatUsersWrote(t *testing.T) {
	e := start(t, nil)
	carol := e.loggedIn(t, "carol")
	evil := `<script>alert(1)</script>" onmouseover="x`
	require.Equal(t, http.StatusSeeOther, carol.post("/customers/c3", url.Values{"name": {evil}}).status)
	p := carol.get("/")
	assert.Equal(t, evil, row(p, "c3")["name"])
	assert.Equal(t, evil, p.attr("tr[data-id=c3] form.edit input[name=name]", "value"))
	assert.NotContains(t, p.body, "<script>")
	assert.Zero(t, p.count("script"))
}

// clerkData is a data file of another schema, with a role that may update
// customers but not change their e-mail address.
const clerkData = `{
  "schema": {"Customer": ["name", "email", "region"]},
  "roles": [{"code": "clerk", "entities": {"Customer": ["read", "update"]},
             "attributes": {"Customer": {"*": "modify", "email": "read"}}}],
  "users": [{"username": "carol", "password": "carol-password", "company": "acme", "roles": ["clerk"]}]
}`

func TestWriteGuardRefusesAnAttributeTheUserMayNotModify(t *testing.T) {
	data, err := datafile.Parse([]byte(clerkData))
	require.NoError(t, err)
	e := start(t, data)
	carol := e.loggedIn(t, "carol")
	p := carol.get("/")
	assert.Equal(t, []string{"name", "email", "region"}, p.attrs("table#customers th[data-attr]", "data-attr"),
		"the columns are the data file's Customer attributes")
	assert.Equal(t, map[string]string{"name": "Acme Corporation", "email": "orders@acme.example", "region": ""}, row(p, "c1"))
	assert.Equal(t, []string{"name", "region"}, p.attrs("tr[data-id=c1] form.edit input", "name"), "no input for the read-only email")

	// A forged form that writes the email, beside an allowed change.
	p = carol.post("/customers/c1", url.Values{"name": {"Changed"}, "email": {"forged@example.com"}})
	require.Equal(t, http.StatusForbidden, p.status)
	assert.Equal(t, `You may not change "email" of a customer. Nothing was changed.`, p.text("#refused"))
	assert.Equal(t, map[string]string{"name": "Acme Corporation", "email": "orders@acme.example", "region": ""}, row(carol.get("/"), "c1"),
		"nothing of the refused form was written")

	require.Equal(t, http.StatusSeeOther, carol.post("/customers/c1", url.Values{"name": {"Changed"}, "region": {"EMEA"}}).status)
	assert.Equal(t, map[string]string{"name": "Changed", "email": "orders@acme.example", "region": "EMEA"}, row(carol.get("/"), "c1"))
}

func TestEditFromAnotherOriginIsRefused(t *testing.T) {
	e := start(t, nil)
	carol := e.loggedIn(t, "carol")
	p := carol.postFrom("http://evil.example", "/customers/c1", url.Values{"name": {"Cross-site"}})
	require.Equal(t, http.StatusForbidden, p.status)
	assert.Contains(t, p.text("#refused"), "sent from another web site")
	p = carol.get("/")
	assert.Equal(t, "carol", p.text("#whoami"), "still logged in")
	assert.Equal(t, "Acme Corporation", row(p, "c1")["name"])
}

func TestEditWithoutSessionIsRefused(t *testing.T) {
	e := start(t, nil)
	p := e.browser(t).post("/customers/c1", url.Values{"name": {"Anonymous"}})
	require.Equal(t, http.StatusUnauthorized, p.status)
	assert.Contains(t, p.text("#refused"), "not logged in")
	assert.Equal(t, "Acme Corporation", row(e.loggedIn(t, "carol").get("/"), "c1")["name"])
}

func TestDataFileWithoutCustomerIsRefused(t *testing.T) {
	data, err := datafile.Parse([]byte(`{"schema": {"Product": ["name"]}}`))
	require.NoError(t, err)
	_, err = app.New(context.Background(), app.Options{Data: data})
	assert.ErrorContains(t, err, "no Customer entity")
}
