package user

// Hooks for the black-box tests in package user_test.

const DummyPassword = dummyPassword

func (b *Bcrypt) DummyHash() string              { return b.dummyHash() }
func (b *Bcrypt) VerifyDummyOK(pw string) bool   { return b.verifyDummy(pw) }
func (a *Argon2id) DummyHash() string            { return a.dummyHash() }
func (a *Argon2id) VerifyDummyOK(pw string) bool { return a.verifyDummy(pw) }
