package user

// Hooks for the black-box tests in package user_test.

const DummyPassword = dummyPassword

func (b *Bcrypt) DummyHash() string              { return b.dummyHash() }
func (b *Bcrypt) VerifyDummyOK(pw string) bool   { return b.verifyDummy(pw) }
func (a *Argon2id) DummyHash() string            { return a.dummyHash() }
func (a *Argon2id) VerifyDummyOK(pw string) bool { return a.verifyDummy(pw) }

// OnWork makes b report the cost of every bcrypt run to f; set it before
// using b.
func (b *Bcrypt) OnWork(f func(cost int)) { b.onWork = f }

// OnWork makes a report the memory and passes of every argon2 run to f.
func (a *Argon2id) OnWork(f func(memory, time uint32)) { a.onWork = f }

// Parts returns the single-scheme hashers inside m.
func (m *MultiHasher) Parts() (*Bcrypt, *Argon2id) { return m.bcrypt, m.argon2 }
