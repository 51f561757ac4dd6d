// Package user defines the [User] of gatehouse, the validation of its fields
// against the limits of the account service (seed 004), and password hashing.
//
// # Validation
//
// [User.Validate] checks every field and returns a [ValidationErrors] value
// listing each broken rule with the field's name, so that an HTTP layer can
// answer 400 naming the field.
//
// # Passwords
//
// A [Hasher] hashes and verifies passwords. The default is bcrypt with a
// pre-hash that lets passwords longer than bcrypt's 72-byte limit count in
// full; argon2id is an option. Hashes made by other systems ($2a$, $2b$, $2y$
// bcrypt) verify as they are and are reported as needing a rehash.
package user
