// Package permissions defines roles and their grants: what a user may do with
// the application's entities (create, read, update, delete), how visible each
// entity attribute is (hidden, read, modify), and which specific, named
// operations they may run, in the target vocabulary of Jmix (seed 003).
//
// A [Role] decodes from the role object of the gatehouse data file.
// [Role.Validate] and [ValidateRoles] check roles before they are stored:
// unknown operations or access levels, malformed names, unknown base roles and
// cycles through Base are errors that name the role.
package permissions
