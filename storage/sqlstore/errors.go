package sqlstore

import "errors"

var (
	// ErrDSN is returned by [Open] for a data source name it does not
	// recognise: it takes postgres://…, postgresql://… and sqlite:PATH.
	ErrDSN = errors.New("sqlstore: unsupported data source name")
	// ErrSchemaTooNew is returned by [Open] when the database carries a
	// schema version newer than this package knows: a newer gatehouse has
	// migrated it, and this one refuses to run against it rather than
	// misread it.
	ErrSchemaTooNew = errors.New("sqlstore: database schema is newer than this version of gatehouse knows")
	// ErrUsernamesCollide is returned by [Open] when the database holds
	// users whose usernames are equal up to case ("alice" and "Alice"),
	// which schema version 2 forbids (usernames are unique up to case, see
	// storage.UserStore). The error names every such user with its id. The
	// migration is not applied and nothing is changed, so the previous
	// gatehouse still runs on the database: rename or delete all but one
	// user of each group, then open again.
	ErrUsernamesCollide = errors.New("sqlstore: usernames equal up to case")
)
