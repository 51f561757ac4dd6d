// Package gatehousetest helps host applications test their own code that
// sits behind gatehouse: a ready Gatehouse over an in-memory store, users
// added from Go values or a data file, "log in as" returning a token or a
// cookie (or decorating an *http.Request), and a context carrying a real
// session for unit tests of handlers that call session.FromContext.
//
//	func TestReport(t *testing.T) {
//		env := gatehousetest.New(t, gatehousetest.WithDataFile("testdata/gatehouse.json"))
//		env.AddUser(t, user.User{Username: "ann", Roles: []string{"sales"}}, "")
//
//		r := env.Authorize(t, httptest.NewRequest("GET", "/report", nil), "ann")
//		rec := httptest.NewRecorder()
//		env.G.Authenticate(myReportHandler).ServeHTTP(rec, r)
//		...
//	}
//
// Everything is real but the password hasher, which is fast and insecure
// ([Hasher]), and the clock, a [Clock] the test moves. Nothing here belongs
// in production code.
package gatehousetest
