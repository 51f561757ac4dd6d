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
)
