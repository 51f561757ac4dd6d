// Package permissions defines roles and their grants: what a user may do with
// the application's entities (create, read, update, delete), how visible each
// entity attribute is (hidden, read, modify), and which specific, named
// operations they may run, in the target vocabulary of Jmix's /permissions.
//
// A [Role] decodes from the role object of the gatehouse data file.
// [Role.Validate] and [ValidateRoles] check roles before they are stored:
// unknown operations or access levels, malformed names, unknown base roles and
// cycles through Base are errors that name the role.
//
// [Compile] turns the roles a user holds into a [Set], an immutable answer to
// "may this user do this?" that the hot path checks without allocating.
//
// # Targets
//
// A target names what is asked about, as [ParseTarget] reads it and
// [Target.String] writes it:
//
//	Customer:create   an entity operation (create, read, update, delete): 0 or 1
//	Customer:name     an entity attribute: 0 hidden, 1 read, 2 modify
//	report_gen        a specific permission (the CRM's bp_process_roles_list): 0 or 1
//
// "*" stands for every entity, attribute or specific name. After the colon, the
// four operation names always mean the operation, so an attribute named "read"
// cannot be addressed by a target string.
//
// # Semantics
//
// Default deny. A user holds their roles and, transitively, the roles those
// include through Base; each role is evaluated on its own, then the answers
// are combined.
//
// Within one role the most specific grant wins. For an entity operation the
// entity's own entry beats the "*" entry, so an entity listed with no
// operations is denied in that role whatever "*" grants. For an attribute the
// order is (entity, attribute), (entity, "*"), ("*", attribute), ("*", "*"):
// "Product": {"*": "read", "tags": "hidden"} shows every Product attribute but
// tags.
//
// Across roles the most permissive answer wins (a union): one role's denial
// never takes away what another role grants.
//
// An attribute is never more visible than the combined entity operations
// allow: without read on the entity it is hidden; with read but neither
// create nor update it is at most read. An attribute no grant mentions is
// hidden.
//
// Read-only users ([CompileConfig].ReadOnly, the "read_only" access level)
// are capped at reading: no create, update or delete, no attribute above
// read, no specific permission. Admin users ([CompileConfig].Admin) are
// allowed everything, still capped by read-only.
//
// Settled here, where the compatible APIs are silent:
//   - A held or base role code that names no known role is an error wrapping
//     [ErrUnknownRole], not a silent deny, so a misconfiguration shows; the
//     caller must deny while it lasts. A cycle through Base wraps [ErrCycle].
//   - Precedence between roles, for [Set.Params] and [Set.Explain], is the
//     order of [Set.Roles]: each held role in the order held, followed
//     depth-first by the roles it includes, each role once. For a parameter
//     code set by several roles the first role wins.
//   - Quotas of several roles for one service and method group combine field
//     by field into the most generous value; 0 (no limit) beats any number.
//   - A Set answers for entities no grant names through the "*" grants, and
//     the name "*" itself asks about exactly those entities.
//   - Specific permissions are enumerated over the deployment's catalogue
//     ([Set.Catalogue]): every name any known role grants, held or not, plus
//     the names the deployment declares (the data file's "specifics"). A "*"
//     grant or an admin allows every name of it; [Set.Document] and
//     [Set.Specifics] list those names and never "*", so a client asking
//     about a name finds it.
//   - With a [Schema], [Role.ValidateSchema] refuses grants that name an
//     entity or attribute it does not declare, and [OverriddenHidden] finds
//     "hidden" grants that an included role's grant overrides (roles
//     combine by union, so they hide nothing).
//
// # Compiled sets
//
// [Compile] evaluates every entity and attribute the user's roles name once,
// applies the caps, and keeps a fallback for everything else, so that
// [Set.Can], [Set.Attribute] and [Set.Specific] are one or two map lookups,
// O(1) and allocation-free. A Set is immutable and safe for concurrent use;
// it keeps copies of its roles, so later changes to them do not reach it:
// compile again when a role or the user changes.
//
// [Set.Document] builds Jmix's /permissions document for the
// application's [Schema]; [Set.Explain] tells which role and grant, or which
// cap, decided a target, or that nothing granted it. [Set.Roles],
// [Set.Params], [Set.Specifics] and [Set.Quotas] feed the session document
// and quota enforcement.
//
// # Field guard
//
// Jmix's REST API hides attributes a user may not see and refuses writes to
// attributes they may not modify; the guard does the same for the host's own
// handlers. [Set.FilterRecord] deletes hidden attributes from a
// map[string]any record in place, without allocating; [Set.FilterStruct]
// does it for a struct through its json tags (by reflection, so not for the
// hot path), returning a map. [Set.CheckWrite] refuses a write whose record
// sets any attribute the user may not modify, with an [*AttributeError]
// that names them and wraps [ErrForbiddenAttributes]; check the entity
// operation with [Set.Can] as well.
//
// # Row-level permissions
//
// A role may restrict an entity operation it grants to some rows, in its
// Rows field (the data file's "rows"):
//
//	"entities": {"Customer": ["read", "update"], "Order": ["read"]},
//	"rows": {
//	  "Customer": {"read":   [{"dep_id": "$user.dep_id"}, {"owner_id": "$user.id"}],
//	               "update": [{"owner_id": "$user.id"}]},
//	  "Order":    {"read":   [{"status": ["open", "paid"], "company": "$user.company"}]}
//	}
//
// A list is OR, the members of one [Condition] are AND. A [RowValue] is a
// constant (a string, an integer or a boolean), a list of constants (one
// of), or a reference to the user: $user.id, $user.username,
// $user.company or $user.<attribute>.
//
//   - Within a role, an operation granted without a rows entry applies to
//     every row; with one, only to the rows matching it. Across roles the
//     most permissive wins: the union of the conditions, and any role
//     granting the operation without rows means every row. Admins see
//     every row; read-only users keep their cap (no create, update or
//     delete of any row).
//   - [Role.Validate] refuses rows on "*", on an operation the role does
//     not grant, empty lists and empty conditions (which would read as
//     "every row"), and malformed values, with a [*RoleError] naming the
//     place (rows.Customer.read[1].dep_id); [Role.ValidateSchema] refuses
//     entities and fields outside the schema with a [*SchemaError].
//   - Fail closed: a reference to something the user lacks, or whose value
//     is "", makes its condition match no row. A record field a condition
//     names that is missing or nil never matches.
//
// Compiled sets stay shared per role combination ([Cache]); [Set.Rows]
// binds the entity operation's rule to a [Subject] (session.Auth.Rows does
// it for the caller) without allocating, giving a [RowFilter]:
// [RowFilter.All] and [RowFilter.None] for the two easy answers,
// [RowFilter.Match] on a map[string]any record, [RowFilter.SQL] for a
// parameterised WHERE, [RowFilter.Check] and [RowFilter.CheckUpdate] as
// the write guard (an update must keep the row inside the user's rows: it
// must match before and after the change; a create must match with the
// filter of [OpCreate]), and [RowFilter.Explain] for which role's
// condition allowed a row. The /permissions document is unchanged: an
// operation allowed on some rows is 1 ([Set.Explain] sets Rows for it).
//
// # Comparing values
//
// Match is strict, never converting between types:
//
//   - A string constant or a $user reference equals only a Go string with
//     the same bytes ("104" is not 104, and a named string type is not a
//     string).
//   - A boolean equals only a Go bool.
//   - A number constant is an integer of at most [MaxRowNumber] (2^53-1) in
//     magnitude, which int64, float64 and SQL all hold exactly. It equals a
//     Go int, int8…int64, uint…uint64 or float32/float64 of exactly that
//     value: int64(3), uint8(3) and 3.0 equal the constant 3 from JSON;
//     3.5, "3" and true do not; a json.Number is read as float64, as
//     encoding/json would decode it without UseNumber. NaN equals nothing.
//   - Any other type (slices, maps, structs, time.Time) equals nothing.
//
// SQL leaves the comparison to the database, with every value an
// argument: a string or reference is a Go string argument, a number an
// int64, a boolean a bool. It agrees with Match when each column holds
// values of its constants' types — text columns for strings and
// references, integer or floating-point columns for numbers, boolean
// columns for booleans — as the property tests in storage/sqlstore check on
// PostgreSQL (typed columns) and SQLite (untyped columns, where strings and
// numbers may even share a column). A database that converts between text
// and numbers in a comparison (SQLite's column affinity, MySQL) can match
// rows that Match does not; keep the types apart there. The column map is
// the host's: its values are trusted identifiers, and SQL refuses any that
// is not a plain or dotted identifier, so that neither a value nor an
// attribute name is ever written into the text.
//
// Package rowstest generates random policies and records and evaluates
// them by the rules above, for property tests of a host's own SQL.
package permissions
