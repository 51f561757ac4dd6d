package session

import "github.com/gatehouse-go/gatehouse/permissions"

// Rows returns the rows of entity on which the caller may perform op:
// a.Set's row rules (see "Row-level permissions" in package permissions)
// bound to a.User's id, username, company and attributes. A nil Auth or
// one without a permission set allows no row. Binding allocates nothing,
// and the filter's Match does not either.
//
//	rows := auth.Rows("Customer", permissions.OpRead)
//	where, args, err := rows.SQL(map[string]string{"dep_id": "dep_id"}, permissions.Dollar)
//	// SELECT … FROM customers WHERE <where>, args...
func (a *Auth) Rows(entity string, op permissions.Op) permissions.RowFilter {
	if a == nil || a.Set == nil {
		return permissions.RowFilter{}
	}
	return a.Set.Rows(entity, op, permissions.Subject{
		ID:         a.User.ID,
		Username:   a.User.Username,
		Company:    a.User.Company,
		Attributes: a.User.Attributes,
	})
}
