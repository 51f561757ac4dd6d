package permissions_test

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/gatehouse-go/gatehouse/permissions"
)

func ExampleSet_Rows() {
	// The policy, as in the data file: sales reads the customers of its
	// department and those it owns, and updates only those it owns.
	var roles []permissions.Role
	err := json.Unmarshal([]byte(`[{"code": "sales",
	  "entities": {"Customer": ["read", "update"]},
	  "rows": {"Customer": {"read":   [{"dep_id": "$user.dep_id"}, {"owner_id": "$user.id"}],
	                        "update": [{"owner_id": "$user.id"}]}}}]`), &roles)
	if err != nil {
		panic(err)
	}
	set, err := permissions.Compile(permissions.CompileConfig{Roles: roles, Held: []string{"sales"}})
	if err != nil {
		fmt.Println("deny:", err)
		return
	}
	// Bind the rule to the user (session.Auth.Rows does this for the caller).
	ann := permissions.Subject{ID: "u1", Username: "ann", Company: "acme", Attributes: map[string]string{"dep_id": "104"}}
	rows := set.Rows("Customer", permissions.OpRead, ann)

	// Match: a record in memory.
	fmt.Println(rows.Match(map[string]any{"dep_id": "104", "owner_id": "u7"}))
	fmt.Println(rows.Match(map[string]any{"dep_id": "200", "owner_id": "u7"}))

	// SQL: a parameterised WHERE over the host's columns.
	where, args, err := rows.SQL(map[string]string{"dep_id": "c.dep_id", "owner_id": "c.owner_id"}, permissions.Dollar)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("SELECT * FROM customers c WHERE " + where)
	fmt.Println(args)

	// Explain: which role's condition allowed a row.
	fmt.Println(rows.Explain(map[string]any{"dep_id": "200", "owner_id": "u1"}))

	// The write guard: an update must keep the row among the user's rows.
	update := set.Rows("Customer", permissions.OpUpdate, ann)
	before := map[string]any{"dep_id": "104", "owner_id": "u1"}
	after := map[string]any{"dep_id": "104", "owner_id": "u7"}
	err = update.CheckUpdate(before, after)
	fmt.Println(errors.Is(err, permissions.ErrRowDenied))
	fmt.Println(err)
	// Output:
	// true
	// false
	// SELECT * FROM customers c WHERE (c.dep_id = $1 OR c.owner_id = $2)
	// [104 u1]
	// Customer:read allowed: condition rows.Customer.read[1] {"owner_id":"$user.id"} of role "sales"
	// true
	// permissions: row not allowed: Customer:update: the row after the change matches no rule (role "sales" rows.Customer.update[0] {"owner_id":"$user.id"})
}
