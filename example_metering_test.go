package gatehouse_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/gatehouse-go/gatehouse"
	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/user"
)

// ExampleGatehouse_RequireQuota charges a host route to the caller's quota
// and records it in the audit.
func ExampleGatehouse_RequireQuota() {
	ctx := context.Background()
	g, _ := gatehouse.New(gatehouse.Config{Session: session.Config{Hasher: plainHasher}})
	defer g.Close()
	_ = g.Store().Roles().PutRole(ctx, permissions.Role{Code: "planner", Quotas: []permissions.Quota{
		{Service: "UNIVERSAL", MethodGroup: "PLAN", PointsPerDay: 20},
	}})
	_, _ = g.Store().Users().CreateUser(ctx, user.User{ID: "u1", Username: "alice", Company: "acme",
		PasswordHash: testHash("secret"), Roles: []string{"planner"}})
	res, _ := g.Sessions().Login(ctx, session.LoginRequest{Username: "alice", Password: "secret"})

	plan := g.Authenticate(g.RequireQuota(gatehouse.Metered{
		Service: "UNIVERSAL", MethodGroup: "PLAN", Operation: "run_plan_calculation",
		Points: func(*http.Request) int64 { return 8 },
	})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "planned")
	})))
	for range 3 {
		r := httptest.NewRequest(http.MethodPost, "/plan", nil)
		r.Header.Set("Authorization", "Bearer "+res.Token)
		w := httptest.NewRecorder()
		plan.ServeHTTP(w, r)
		fmt.Println(w.Code, w.Header().Get("Retry-After") != "")
	}
	// Output:
	// 200 false
	// 200 false
	// 429 true
}
