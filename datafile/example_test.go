package datafile_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gatehouse-go/gatehouse/datafile"
	"github.com/gatehouse-go/gatehouse/storage/memstore"
	"github.com/gatehouse-go/gatehouse/user"
)

// A data file with a mistake is refused as a whole, with the place named.
func ExampleParse_error() {
	_, err := datafile.Parse([]byte(`{
		"roles": [{"code": "sales", "base": ["viewer"]}]
	}`))
	var de *datafile.Error
	if errors.As(err, &de) {
		fmt.Println(de.Place)
	}
	fmt.Println(err)
	// Output:
	// roles[0].base[0]
	// data file: roles[0].base[0]: unknown role "viewer"
}

// Apply a file to any store, with any hasher: the users it lacks are
// created, everything else follows the file. A host with a Gatehouse calls
// Gatehouse.ApplyDataFile (or gatehouse.Open) instead, which hashes with
// the sessions' hasher.
func ExampleFile_Apply() {
	d, err := datafile.Parse([]byte(`{
		"schema": {"Customer": ["name", "credit_limit"]},
		"roles": [{"code": "clerk", "entities": {"Customer": ["read"]}, "attributes": {"Customer": {"*": "read"}}}],
		"users": [{"username": "ann", "password": "correct horse battery", "company": "acme", "roles": ["clerk"]}]
	}`))
	if err != nil {
		panic(err)
	}
	store := memstore.New(memstore.Config{})
	defer store.Close()
	hasher, err := user.NewHasher(user.HasherConfig{Bcrypt: user.BcryptConfig{Cost: 10}})
	if err != nil {
		panic(err)
	}
	rep, err := d.Apply(context.Background(), store, hasher, time.Now())
	if err != nil {
		panic(err)
	}
	fmt.Println("roles:", rep.RolesPut, "users created:", rep.UsersCreated)
	rep, _ = d.Apply(context.Background(), store, hasher, time.Now())
	fmt.Println("again, users kept:", rep.UsersKept)
	// Output:
	// roles: 1 users created: 1
	// again, users kept: 1
}
