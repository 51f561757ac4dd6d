// Package user defines the [User] of gatehouse, the validation of its fields
// against the limits of the account service, and password hashing.
//
// # Validation
//
// [User.Validate] checks every field and returns a [ValidationErrors] value
// listing each broken rule with the field's JSON name and a short rule name
// ("required", "length", "pattern", "format", "enum", "zone"), so that an
// HTTP layer can answer 400 naming the field. Lengths count characters
// (runes), not bytes. Single-field validators ([ValidateUsername],
// [ValidateName], [ValidateEmail], [ValidatePhone], [ValidateCompany],
// [ValidateTimezone]) serve partial updates such as PUT /account. Every
// validation error wraps [ErrInvalid].
//
// Passwords given at login are checked with [ValidatePassword] (1..1000
// characters); new ones with a [PasswordPolicy] (by default 8..1000, plus an
// optional Check hook for common or breached passwords). Passwords are never
// trimmed, truncated nor normalised.
//
// # Passwords
//
// A [Hasher] hashes and verifies passwords. [NewHasher] returns a
// [MultiHasher] that hashes with the configured scheme (bcrypt by default,
// argon2id as an option) and verifies every scheme below, reporting
// needsRehash for a hash of another scheme or parameters, so that a caller
// replaces it after the next successful login. [NewBcrypt] and
// [NewArgon2id] return single-scheme hashers.
//
// Bcrypt's cost must be at least 10 (default 12). A hash whose parameters
// exceed configured limits (bcrypt cost above 16, argon2id above 64 MiB, 10
// passes or 4 lanes, by default) is refused with [ErrHashTooExpensive]
// before any hashing: an imported hash must not turn a login into a denial
// of service.
//
// When the user is unknown, or has no password hash, call VerifyDummy
// ([DummyVerifier]): it does the work of a real verification against a hash
// of the configured scheme and cost, made once, so that the time of the
// answer does not tell unknown users from wrong passwords. After a failed
// verification of a real hash, call PadWork ([WorkPadder]): a hash cheaper
// than the configured one (an imported cost-10 bcrypt hash under cost 12)
// would otherwise answer four times faster than an unknown user. PadWork
// adds the missing bcrypt rounds exactly, or a whole VerifyDummy for a hash
// of another scheme or one that could not be checked.
//
// # Password hash format
//
// Hashes made by this package are one of:
//
//	$gh1-bcrypt-sha384$2a$<cost>$<22 salt chars><31 hash chars>
//	$argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>
//
// gh1-bcrypt-sha384 (gatehouse pre-hashed bcrypt, version 1) is the bcrypt
// hash, without its leading "$", of
//
//	base64std(HMAC-SHA-384(key = pepper, message = password))
//
// where the pepper is [BcryptConfig].Pepper (an empty key when there is none)
// and the password is its UTF-8 bytes as given. The pre-hash is 64 ASCII
// characters, under bcrypt's 72-byte limit and free of NUL bytes, so every
// byte of a password of any length counts: two passwords that share their
// first 72 bytes do not verify for each other, which plain bcrypt cannot
// promise. This is the recipe of OWASP's Password Storage Cheat Sheet.
// Changing the pepper makes every gh1 hash fail to verify; a future change
// of recipe will get a new prefix (gh2-...), and gh1 hashes will keep
// verifying and ask for a rehash.
//
// argon2id hashes follow the PHC string format of the reference
// implementation: version 19, parameters in the order m, t, p, salt and hash
// in standard base64 without padding. They use no pepper, so other argon2
// implementations can read them. The hash is compared in constant time.
//
// Plain bcrypt hashes made by other systems, "$2a$", "$2b$" and "$2y$"
// (PHP's password_hash), verify as they are, with no pepper, and always ask
// for a rehash. Other prefixes ("$2x$", "$2$", MD5 crypt ...) are refused
// with [ErrUnknownScheme].
//
// # Plain bcrypt truncates passwords
//
// Plain bcrypt reads at most the first 72 bytes of a password, and a NUL
// byte ends it as far as bcrypt can tell. A plain hash is compared the same
// way, exactly as in the system that made it: every password that shares
// its first 72 bytes with the owner's verifies, so a user whose password is
// 72 bytes or longer is only as safe as those 72 bytes. Refusing such
// passwords instead would lock out the users whose long passwords that
// system accepted.
//
// For the same reason such a password never replaces the hash: the
// transparent rehash would store whichever variant was typed — perhaps an
// attacker's, who knew only the first 72 bytes — and the owner's real
// password would stop working. Verify reports needsRehash only for a
// password shorter than 72 bytes without a NUL byte, which the plain hash
// fully determines ([RehashUnsafe]); a user with a longer password keeps the
// plain hash, and its truncation, until the password is changed. Hosts
// importing such hashes should ask those users to set a new password.
package user
