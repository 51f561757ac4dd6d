package permissions_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/gatehouse-go/gatehouse/permissions"
)

// exampleRoles are the roles of the gatehouse data file (package datafile), as
// JSON, the form the data file and a role store share.
const exampleRoles = `[
 {"code": "sales", "title": "Sales", "base": ["viewer"],
  "params": [{"code": "generate_ddl", "value": "1"}],
  "entities": {"Customer": ["create", "read", "update"]},
  "attributes": {"Customer": {"*": "modify"}, "Product": {"*": "read", "tags": "hidden"}},
  "specifics": ["entity_export_to_file"]},
 {"code": "viewer", "entities": {"*": ["read"]}}
]`

func mustRoles() []permissions.Role {
	var roles []permissions.Role
	if err := json.Unmarshal([]byte(exampleRoles), &roles); err != nil {
		panic(err)
	}
	return roles
}

func ExampleCompile() {
	set, err := permissions.Compile(permissions.CompileConfig{
		Roles: mustRoles(),       // every role the application knows
		Held:  []string{"sales"}, // the user's roles
	})
	if err != nil {
		fmt.Println("deny:", err) // a misconfiguration denies
		return
	}
	fmt.Println("update Customer:", set.Can("Customer", permissions.OpUpdate))
	fmt.Println("delete Customer:", set.Can("Customer", permissions.OpDelete))
	fmt.Println("read Invoice:", set.Can("Invoice", permissions.OpRead)) // through viewer's "*"
	fmt.Println("Product:price", set.Attribute("Product", "price"))
	fmt.Println("Product:tags", set.Attribute("Product", "tags"))
	fmt.Println("export:", set.Specific("entity_export_to_file"))
	fmt.Println("roles:", set.Roles())
	fmt.Println("params:", set.Params())
	// Output:
	// update Customer: true
	// delete Customer: false
	// read Invoice: true
	// Product:price read
	// Product:tags hidden
	// export: true
	// roles: [sales viewer]
	// params: [{generate_ddl 1}]
}

func ExampleCompile_unknownRole() {
	_, err := permissions.Compile(permissions.CompileConfig{Roles: mustRoles(), Held: []string{"sales", "auditor"}})
	fmt.Println(errors.Is(err, permissions.ErrUnknownRole))
	fmt.Println(err)
	// Output:
	// true
	// permissions: held role: permissions: unknown role: "auditor"
}

func ExampleCompileConfig_readOnly() {
	set, _ := permissions.Compile(permissions.CompileConfig{Roles: mustRoles(), Held: []string{"sales"}, ReadOnly: true})
	fmt.Println(set.Can("Customer", permissions.OpRead), set.Can("Customer", permissions.OpUpdate))
	fmt.Println(set.Attribute("Customer", "name"), set.Specific("entity_export_to_file"))
	// Output:
	// true false
	// read false
}

func ExampleSet_Explain() {
	set, _ := permissions.Compile(permissions.CompileConfig{Roles: mustRoles(), Held: []string{"sales"}})
	for _, target := range []string{"Customer:update", "Invoice:read", "Customer:delete", "Product:tags", "Customer:name", "Invoice:total"} {
		e, err := set.Explain(target)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(e)
	}
	// Output:
	// Customer:update = 1: grant Customer [create read update] of role "sales"
	// Invoice:read = 1: grant * [read] of role "viewer"
	// Customer:delete = 0: no grant allows it (default deny)
	// Product:tags = 0 (hidden): grant Product:tags hidden of role "sales"
	// Customer:name = 2 (modify): grant Customer:* modify of role "sales"
	// Invoice:total = 0 (hidden): no grant allows it (default deny)
}

func ExampleSet_Document() {
	set, _ := permissions.Compile(permissions.CompileConfig{Roles: mustRoles(), Held: []string{"sales"}})
	doc := set.Document(permissions.Schema{
		"Customer": {"name", "type"},
		"Product":  {"price", "tags"},
	})
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", " ")
	_ = enc.Encode(doc)
	// Output:
	// {
	//  "entities": [
	//   {
	//    "target": "Customer:create",
	//    "value": 1
	//   },
	//   {
	//    "target": "Customer:read",
	//    "value": 1
	//   },
	//   {
	//    "target": "Customer:update",
	//    "value": 1
	//   },
	//   {
	//    "target": "Customer:delete",
	//    "value": 0
	//   },
	//   {
	//    "target": "Product:create",
	//    "value": 0
	//   },
	//   {
	//    "target": "Product:read",
	//    "value": 1
	//   },
	//   {
	//    "target": "Product:update",
	//    "value": 0
	//   },
	//   {
	//    "target": "Product:delete",
	//    "value": 0
	//   }
	//  ],
	//  "entityAttributes": [
	//   {
	//    "target": "Customer:name",
	//    "value": 2
	//   },
	//   {
	//    "target": "Customer:type",
	//    "value": 2
	//   },
	//   {
	//    "target": "Product:price",
	//    "value": 1
	//   },
	//   {
	//    "target": "Product:tags",
	//    "value": 0
	//   }
	//  ],
	//  "specifics": [
	//   {
	//    "target": "entity_export_to_file",
	//    "value": 1
	//   }
	//  ]
	// }
}

func ExampleSet_CheckWrite() {
	set, _ := permissions.Compile(permissions.CompileConfig{Roles: mustRoles(), Held: []string{"sales"}})
	err := set.CheckWrite("Product", map[string]any{"price": 10, "tags": "new"})
	var ae *permissions.AttributeError
	if errors.As(err, &ae) {
		fmt.Println(errors.Is(err, permissions.ErrForbiddenAttributes), ae.Attributes)
	}
	rec := set.FilterRecord("Product", map[string]any{"price": 10, "tags": "secret"})
	fmt.Println(rec)
	// Output:
	// true [price tags]
	// map[price:10]
}

// A grant that names an attribute the schema does not declare is an
// error naming the place and the closest declared name: the typo would
// otherwise leave credit_limit readable through "*".
func ExampleRole_ValidateSchema() {
	schema := permissions.Schema{"Customer": {"name", "credit_limit"}}
	r := permissions.Role{
		Code:       "clerk",
		Entities:   map[string][]permissions.Op{"Customer": {permissions.OpRead}},
		Attributes: map[string]map[string]permissions.Access{"Customer": {"creditlimit": permissions.Hidden, "*": permissions.Read}},
	}
	err := r.ValidateSchema(schema)
	fmt.Println(err)
	fmt.Println(errors.Is(err, permissions.ErrNotInSchema))
	// Output:
	// permissions: role "clerk": attributes.Customer.creditlimit: not in schema (did you mean credit_limit?)
	// true
}

// Roles combine by union, so a "hidden" grant that a base role's grant
// overrides hides nothing; OverriddenHidden finds such grants.
func ExampleOverriddenHidden() {
	roles := []permissions.Role{
		{Code: "viewer", Entities: map[string][]permissions.Op{"*": {permissions.OpRead}},
			Attributes: map[string]map[string]permissions.Access{"*": {"*": permissions.Read}}},
		{Code: "sales", Base: []string{"viewer"},
			Attributes: map[string]map[string]permissions.Access{"Product": {"*": permissions.Read, "tags": permissions.Hidden}}},
	}
	for _, o := range permissions.OverriddenHidden(roles) {
		fmt.Println(o)
	}
	// Output:
	// role "sales": attributes.Product.tags: hidden has no effect: base role "viewer" grants *:* read and roles combine by union, so holders of "sales" get read
}
