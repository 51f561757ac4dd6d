package storage

// FoldUsername returns the form in which stores compare usernames: ASCII
// letters A–Z turned to a–z, every other byte kept. Two usernames name the
// same user exactly when their folds are equal; a store keeps at most one
// user per fold and finds a user by it ([UserStore]).
//
// Usernames are ASCII word characters (see user.ValidateUsername), for
// which this is strings.ToLower. The fold is ASCII only on purpose, for
// bytes a caller did not validate: a Unicode fold would let U+212A KELVIN
// SIGN log in as "kate", and SQL's lower() on a bytewise ("C") column,
// which sqlstore indexes, folds only ASCII too. Callers that key anything
// by username — a login throttle, a cache — should key it by the fold, so
// that "Alice" and "alice" share one key.
func FoldUsername(username string) string {
	for i := 0; i < len(username); i++ {
		if c := username[i]; 'A' <= c && c <= 'Z' {
			b := []byte(username)
			for j := i; j < len(b); j++ {
				if c := b[j]; 'A' <= c && c <= 'Z' {
					b[j] = c + 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return username
}
