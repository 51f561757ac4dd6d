package user

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/crypto/argon2"
)

// Argon2id defaults: OWASP's Password Storage Cheat Sheet's 19 MiB, 2
// passes, 1 lane, with a 16-byte salt and a 32-byte key.
const (
	DefaultArgon2Memory  = 19 * 1024 // KiB
	DefaultArgon2Time    = 2
	DefaultArgon2Threads = 1
	DefaultArgon2SaltLen = 16
	DefaultArgon2KeyLen  = 32

	// minArgon2Work is the least Memory (KiB) × Time a configuration may
	// ask for: OWASP's weakest listed option, 7 MiB × 5 passes.
	minArgon2Work   = 7 * 1024 * 5
	minArgon2Memory = 7 * 1024
)

// Argon2Config configures [NewArgon2id]. The zero value means the defaults.
// Hashes whose parameters differ from the configured ones still verify (up
// to the Max limits) and are reported as needing a rehash.
type Argon2Config struct {
	// Memory in KiB: 0 means 19 MiB. At least 7 MiB, and Memory × Time at
	// least 7 MiB × 5 (OWASP's table of equivalent options).
	Memory uint32
	// Time is the number of passes: 0 means 2.
	Time uint32
	// Threads is the degree of parallelism (lanes): 0 means 1.
	Threads uint8
	// SaltLen is the salt length in bytes: 0 means 16; at least 16.
	SaltLen uint32
	// KeyLen is the hash length in bytes: 0 means 32; 16..64.
	KeyLen uint32

	// MaxMemory, MaxTime and MaxThreads bound the parameters Verify accepts
	// from an encoded hash (an imported hash asking for 4 GiB would be a
	// denial of service). 0 means the larger of the configured value and 64
	// MiB, 10 passes, 4 lanes respectively.
	MaxMemory  uint32
	MaxTime    uint32
	MaxThreads uint8
}

// Argon2id is a [Hasher] using argon2id, encoding hashes in the PHC string
// format ("$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>", unpadded standard
// base64), which other argon2 implementations read and write. It uses no
// pepper. It is safe for concurrent use.
type Argon2id struct {
	p       argon2Params
	saltLen uint32
	max     argon2Params

	dummyOnce sync.Once
	dummy     string

	// onWork, when set (by tests), is told the memory and passes of every
	// argon2 run.
	onWork func(memory, time uint32)
}

type argon2Params struct {
	memory  uint32
	time    uint32
	threads uint8
	keyLen  uint32
}

// NewArgon2id returns an argon2id [Hasher] configured by cfg, or an error
// wrapping [ErrConfig] when cfg is too weak or inconsistent.
func NewArgon2id(cfg Argon2Config) (*Argon2id, error) {
	a := &Argon2id{
		p: argon2Params{
			memory:  orDefault(cfg.Memory, DefaultArgon2Memory),
			time:    orDefault(cfg.Time, DefaultArgon2Time),
			threads: orDefault(cfg.Threads, DefaultArgon2Threads),
			keyLen:  orDefault(cfg.KeyLen, DefaultArgon2KeyLen),
		},
		saltLen: orDefault(cfg.SaltLen, DefaultArgon2SaltLen),
	}
	a.max = argon2Params{
		memory:  orDefault(cfg.MaxMemory, max(64*1024, a.p.memory)),
		time:    orDefault(cfg.MaxTime, max(10, a.p.time)),
		threads: orDefault(cfg.MaxThreads, max(4, a.p.threads)),
	}
	switch {
	case a.p.memory < minArgon2Memory || uint64(a.p.memory)*uint64(a.p.time) < minArgon2Work:
		return nil, fmt.Errorf("%w: argon2 memory %d KiB × time %d is below OWASP's minimum", ErrConfig, a.p.memory, a.p.time)
	case a.saltLen < 16:
		return nil, fmt.Errorf("%w: argon2 salt shorter than 16 bytes", ErrConfig)
	case a.p.keyLen < 16 || a.p.keyLen > 64:
		return nil, fmt.Errorf("%w: argon2 key length %d outside 16..64", ErrConfig, a.p.keyLen)
	case a.max.memory < a.p.memory || a.max.time < a.p.time || a.max.threads < a.p.threads:
		return nil, fmt.Errorf("%w: argon2 limits below the configured parameters", ErrConfig)
	}
	return a, nil
}

func orDefault[T uint8 | uint32](v, def T) T {
	if v == 0 {
		return def
	}
	return v
}

// Hash returns the PHC-encoded argon2id hash of password with a fresh
// random salt. It refuses an empty password with [ErrEmptyPassword].
func (a *Argon2id) Hash(password string) (string, error) {
	if password == "" {
		return "", ErrEmptyPassword
	}
	salt := make([]byte, a.saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("user: argon2 salt: %w", err)
	}
	key := a.key([]byte(password), salt, a.p)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, a.p.memory, a.p.time, a.p.threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Verify reports whether password matches the PHC-encoded argon2id hash,
// comparing in constant time. needsRehash is true, when ok, if the hash's
// memory, time, threads or key length differ from the configured ones.
// A wrong password is ok == false with a nil error; errors wrap [ErrNoHash],
// [ErrMalformedHash], [ErrUnknownScheme] (bcrypt: use [NewHasher]) or
// [ErrHashTooExpensive] (parameters above the Max limits, refused before
// hashing).
func (a *Argon2id) Verify(encoded, password string) (ok, needsRehash bool, err error) {
	switch kind := schemeOf(encoded); kind {
	case schemeArgon2id:
		return a.verify(encoded, password)
	case schemeNone:
		return false, false, ErrNoHash
	default:
		return false, false, fmt.Errorf("%w: argon2id hasher given a %s hash", ErrUnknownScheme, kind)
	}
}

// VerifyDummy does the work of a Verify of password against a hash of the
// configured parameters and discards the result; see [Bcrypt.VerifyDummy].
func (a *Argon2id) VerifyDummy(password string) {
	a.verifyDummy(password)
}

func (a *Argon2id) verifyDummy(password string) bool {
	ok, _, err := a.Verify(a.dummyHash(), password)
	if err != nil {
		_ = a.key([]byte(password), make([]byte, a.saltLen), a.p)
	}
	return ok
}

// PadWork spends, after a Verify of password against encoded (whatever its
// outcome), the work that brings that attempt up to at least the work of
// [Argon2id.VerifyDummy]; see [WorkPadder]. It does nothing for a hash of
// at least the configured memory and passes and at most the configured
// lanes; otherwise (weaker parameters, or a hash Verify did no argon2 work
// on) it runs VerifyDummy.
func (a *Argon2id) PadWork(encoded, password string) {
	if schemeOf(encoded) == schemeArgon2id {
		p, _, _, err := parseArgon2id(encoded)
		if err == nil && p.memory <= a.max.memory && p.time <= a.max.time && p.threads <= a.max.threads &&
			p.memory >= a.p.memory && p.time >= a.p.time && p.threads <= a.p.threads {
			return
		}
	}
	a.VerifyDummy(password)
}

// key runs argon2.IDKey with p, telling onWork.
func (a *Argon2id) key(password, salt []byte, p argon2Params) []byte {
	if a.onWork != nil {
		a.onWork(p.memory, p.time)
	}
	return argon2.IDKey(password, salt, p.time, p.memory, p.threads, p.keyLen)
}

func (a *Argon2id) dummyHash() string {
	a.dummyOnce.Do(func() {
		a.dummy, _ = a.Hash(dummyPassword)
	})
	return a.dummy
}

func (a *Argon2id) verify(encoded, password string) (ok, needsRehash bool, err error) {
	p, salt, key, err := parseArgon2id(encoded)
	if err != nil {
		return false, false, err
	}
	if p.memory > a.max.memory || p.time > a.max.time || p.threads > a.max.threads {
		return false, false, fmt.Errorf("%w: argon2id m=%d,t=%d,p=%d above m=%d,t=%d,p=%d",
			ErrHashTooExpensive, p.memory, p.time, p.threads, a.max.memory, a.max.time, a.max.threads)
	}
	got := a.key([]byte(password), salt, p)
	if subtle.ConstantTimeCompare(got, key) != 1 {
		return false, false, nil
	}
	return true, p != a.p, nil
}

// parseArgon2id parses "$argon2id$v=19$m=M,t=T,p=P$salt$hash" strictly:
// version 19 only, parameters in that order, unpadded standard base64.
func parseArgon2id(encoded string) (p argon2Params, salt, key []byte, err error) {
	bad := func(why string) (argon2Params, []byte, []byte, error) {
		return argon2Params{}, nil, nil, fmt.Errorf("%w: argon2id: %s", ErrMalformedHash, why)
	}
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return bad("want 5 $-separated fields")
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return bad("unsupported version")
	}
	kv := strings.Split(parts[3], ",")
	if len(kv) != 3 {
		return bad("want m, t and p")
	}
	var nums [3]uint64
	for i, name := range []string{"m=", "t=", "p="} {
		v, ok := strings.CutPrefix(kv[i], name)
		if !ok || v == "" || v[0] < '1' || v[0] > '9' {
			return bad("bad parameter " + strconv.Quote(kv[i]))
		}
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return bad("bad parameter " + strconv.Quote(kv[i]))
		}
		nums[i] = n
	}
	if nums[2] > 255 {
		// Larger than any MaxThreads: refuse as too expensive, not malformed.
		return argon2Params{}, nil, nil, fmt.Errorf("%w: argon2id p=%d", ErrHashTooExpensive, nums[2])
	}
	p = argon2Params{memory: uint32(nums[0]), time: uint32(nums[1]), threads: uint8(nums[2])}
	if uint64(p.memory) < 8*uint64(p.threads) {
		return bad("memory below 8 KiB per thread")
	}
	b64 := base64.RawStdEncoding.Strict()
	if salt, err = b64.DecodeString(parts[4]); err != nil || len(salt) < 8 || len(salt) > 64 {
		return bad("bad salt")
	}
	if key, err = b64.DecodeString(parts[5]); err != nil || len(key) < 16 || len(key) > 64 {
		return bad("bad hash")
	}
	p.keyLen = uint32(len(key))
	return p, salt, key, nil
}
