package gatehouse_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/gatehouse-go/gatehouse"
	"github.com/gatehouse-go/gatehouse/gatehousetest"
	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/user"
)

// exampleTB stands in for the *testing.T of a real test.
type exampleTB struct{}

func (exampleTB) Helper()                           {}
func (exampleTB) Cleanup(func())                    {}
func (exampleTB) Fatalf(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }

// A host adds its own sections to the CRM session document and
// reads the document from its own code.
func ExampleSessionSectionFunc() {
	env := gatehousetest.New(exampleTB{}, gatehousetest.WithConfig(func(c *gatehouse.Config) {
		c.SessionSections = map[string]gatehouse.SessionSection{
			"domain": gatehouse.SessionSectionFunc(func(ctx context.Context, a *session.Auth) (any, error) {
				return "crm.example.com", nil
			}),
		}
	}))
	defer env.G.Close()
	env.AddUser(exampleTB{}, user.User{ID: "1", Username: "admin", Name: "Administrator",
		Attributes: map[string]string{"dep_id": "104"}}, "")

	rec := env.Serve(nil, env.Authorize(exampleTB{}, httptest.NewRequest("GET", "/session", nil), "admin"))
	fmt.Print(rec.Body.String())
	// Output:
	// {"domain":"crm.example.com","session_parameters":[],"session_role_params":[],"session_roles":[],"sessioninfo":{"bp_process_roles_list":[],"dep_id":"104","email":"","id":"1","lang":"en","login":"admin","title":"Administrator"}}
}
