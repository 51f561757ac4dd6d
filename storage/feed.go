package storage

// ChangeFeed is an optional capability of a [Store]: telling every process
// that shares the store about the writes that end or narrow access, so that
// a process may keep sessions, users and versions in memory and drop them
// when another process changes them (see package cachestore). A store
// implements it with its engine's own mechanism — PostgreSQL's
// LISTEN/NOTIFY, Redis pub/sub, an in-process list for a memory store —
// never by polling.
//
// A store that implements ChangeFeed publishes, before the write returns
// and in the same transaction where the engine allows it, a [Change] for:
//
//   - a session revoked or deleted while live ([ChangeSession], its IDHash);
//   - a user updated or deleted ([ChangeUser], its ID) — which covers a
//     password change, a session epoch bump, a block, a change of access,
//     roles, attributes or parameters;
//   - a role put or deleted ([ChangePolicy]);
//   - a parameter put or deleted, or the schema put ([ChangeParameters]);
//   - anything else that may change what a process keeps ([ChangeAll]).
//
// storagetest.Run checks every store that implements it.
type ChangeFeed interface {
	// WatchChanges starts delivering the store's changes to h, from every
	// process sharing the store (this one included), and returns at once.
	// The returned stop ends the delivery and waits until no call to h is
	// in progress or will follow.
	//
	// h.Subscribed is called once the feed is listening, and again after
	// every loss: changes published before it may have been missed. h.Lost
	// is called as soon as the feed knows it may miss changes (its
	// connection failed or stopped answering); the feed then reconnects by
	// itself and calls h.Subscribed when it listens again. Calls to h are
	// made from one goroutine at a time, in order.
	//
	// A store that cannot publish its changes to other processes (SQLite,
	// or a composed store with a part that has no feed) returns an error
	// wrapping errors.ErrUnsupported and starts nothing.
	WatchChanges(h ChangeHandler) (stop func(), err error)
}

// ChangeHandler receives a [ChangeFeed]'s changes and its state.
type ChangeHandler interface {
	// Changed reports one change. It must not block for long: the feed
	// waits for it.
	Changed(Change)
	// Subscribed reports that the feed listens: every change published
	// from now on will be reported, and changes published before may have
	// been missed. A feed proves that it listens end to end — its own
	// heartbeat, published through the store, came back — not merely that
	// its connection answers.
	Subscribed()
	// Lost reports that the feed may miss changes until the next
	// Subscribed.
	Lost(err error)
}

// ChangeKind says what a [Change] is about.
type ChangeKind uint8

// The kinds of [Change].
const (
	// ChangeSession: the session whose IDHash is Key was revoked or
	// deleted.
	ChangeSession ChangeKind = iota + 1
	// ChangeUser: the user whose ID is Key was updated or deleted.
	ChangeUser
	// ChangePolicy: a role was put or deleted (Versions.Policy moved).
	ChangePolicy
	// ChangeParameters: a parameter or the schema changed
	// (Versions.Parameters moved).
	ChangeParameters
	// ChangeAll: anything may have changed (a table truncated by hand, a
	// key too long for the feed's message): drop everything.
	ChangeAll
)

// String returns the kind's name.
func (k ChangeKind) String() string {
	switch k {
	case ChangeSession:
		return "session"
	case ChangeUser:
		return "user"
	case ChangePolicy:
		return "policy"
	case ChangeParameters:
		return "parameters"
	case ChangeAll:
		return "all"
	}
	return "unknown"
}

// Change is one change a [ChangeFeed] reports.
type Change struct {
	Kind ChangeKind
	// Key is the session's IDHash or the user's ID; empty for
	// ChangePolicy and ChangeParameters.
	Key string
}

// EncodeChange returns c as the short text that stores put on the wire:
// "s:<id hash>", "u:<user id>", "p", "v" or "*".
func EncodeChange(c Change) string {
	switch c.Kind {
	case ChangeSession:
		return "s:" + c.Key
	case ChangeUser:
		return "u:" + c.Key
	case ChangePolicy:
		return "p"
	case ChangeParameters:
		return "v"
	case ChangeAll:
		return "*"
	}
	return ""
}

// DecodeChange parses what [EncodeChange] returns; ok is false for
// anything else, which a feed reports as ChangeAll. (Feeds keep their own
// heartbeats, "h:…", off the handler.)
func DecodeChange(s string) (c Change, ok bool) {
	switch {
	case s == "*":
		return Change{Kind: ChangeAll}, true
	case s == "p":
		return Change{Kind: ChangePolicy}, true
	case s == "v":
		return Change{Kind: ChangeParameters}, true
	case len(s) > 2 && s[:2] == "s:":
		return Change{Kind: ChangeSession, Key: s[2:]}, true
	case len(s) > 2 && s[:2] == "u:":
		return Change{Kind: ChangeUser, Key: s[2:]}, true
	}
	return Change{}, false
}
