package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/storage/sqlstore"
	"github.com/gatehouse-go/gatehouse/user"
)

func ExampleOpen() {
	dir, _ := os.MkdirTemp("", "gatehouse")
	defer os.RemoveAll(dir)
	ctx := context.Background()

	s, err := sqlstore.Open(ctx, "sqlite:"+filepath.Join(dir, "gh.db"), sqlstore.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	u, err := s.Users().CreateUser(ctx, user.User{ID: "u1", Username: "alice", Company: "acme"})
	fmt.Println(u.Username, u.Version, err)
	_, err = s.Users().CreateUser(ctx, user.User{ID: "u2", Username: "alice", Company: "acme"})
	fmt.Println(errors.Is(err, storage.ErrConflict))
	// Output:
	// alice 1 <nil>
	// true
}
