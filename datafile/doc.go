// Package datafile reads, validates and applies the gatehouse data file:
// one JSON document that declares everything a deployment starts with — its
// service, entity schema, declared specific permissions, session
// parameters, roles and first users.
//
//	{
//	  "service": {"name": "demo", "server": "node-1", "version": {"major": 1, "minor": 0, "build": "dev"}},
//	  "schema": {"Customer": ["name", "type"], "Product": ["image", "price", "name", "tags"]},
//	  "specifics": ["entity_export_to_file", "report_gen"],
//	  "parameters": [{"code": "show_header", "title": "Show Header", "value": "1"}],
//	  "roles": [{"code": "sales", "title": "Sales", "base": ["viewer"],
//	             "entities": {"Customer": ["create", "read", "update"], "*": ["read"]},
//	             "attributes": {"Customer": {"*": "modify"}, "Product": {"*": "read", "tags": "hidden"}},
//	             "specifics": ["entity_export_to_file"],
//	             "rows": {"Customer": {"update": [{"owner_id": "$user.id"}]}}}],
//	  "users": [{"username": "admin", "password": "…", "company": "acme", "admin": true, "roles": ["sales"]}]
//	}
//
// # Reading
//
// [Read] and [Parse] check all of it before returning anything: unknown
// fields, wrong types, every user field by the user package's rules, role
// grants, cycles in base roles, and usernames unique up to case. Every
// mistake is an [*Error] naming its place, such as users[3].email or
// roles[2].base[0]. With a schema declared, a grant naming an entity or
// attribute the schema lacks is refused with the closest declared name
// ("roles[2].attributes.Customer.creditlimit: not in schema (did you mean
// credit_limit?)"), because a typo beside a wildcard would otherwise open
// the field. A row rule ("rows", see package permissions) is checked the
// same way, and its mistakes name their place down to the value
// (roles[0].rows.Customer.read[1].dep_id). [File.Warnings] reports what is valid but almost certainly
// not meant, such as a "hidden" grant that an included role overrides.
//
// # Applying
//
// [File.Apply] makes a store follow the file: the schema becomes the
// file's, users the store lacks are created (passwords hashed with the
// given hasher), and users that exist keep their passwords, sessions and
// run-time changes. It is idempotent, so a deployment applies its file on
// every start; it reads and hashes everything before its first write, so a
// bad file or a failing hasher leaves the store untouched.
//
// Roles and parameters have an owner, which the store records
// (permissions.Role.FromDataFile, storage.Parameter.FromDataFile; never
// part of the file's JSON):
//
//   - The file owns what it names: each role and parameter it lists is put
//     as the file has it on every apply, so a change made at run time to
//     one of them lasts until the next start. A role or parameter created
//     at run time under a code the file later names becomes the file's; a
//     replaced one that was created or changed at run time is reported as
//     a warning in the [Report].
//   - The file owns what it used to name: one it put and no longer lists is
//     deleted. A dropped role that a role created at run time includes
//     through base is kept, with a warning, until nothing created at run
//     time includes it, since deleting it would deny that role's holders.
//   - Everything else was created at run time and is the host's: applying
//     the file never deletes or changes it ([Report].RolesKept and
//     ParametersKept count them). To hand a role over to the file, name it
//     in the file; to keep one out of the file's hands, give it a code the
//     file does not use.
//
// A store written before the origin was recorded holds only roles and
// parameters from the file (applying it deleted all others), and its
// migration marks them so.
//
// A host with a Gatehouse calls gatehouse.Open (which also takes the
// service section into the configuration) or Gatehouse.ApplyDataFile, which
// hash with the sessions' hasher and keep the declared specifics.
package datafile
