package storagetest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse/storage"
)

func putParameter(t *testing.T, e *env, p storage.Parameter) {
	t.Helper()
	require.NoError(t, e.store.Parameters().PutParameter(ctx(t), p), "PutParameter(%q)", p.Code)
}

func requireParameters(t *testing.T, e *env, want ...storage.Parameter) {
	t.Helper()
	got, err := e.store.Parameters().ListParameters(ctx(t))
	require.NoError(t, err, "ListParameters")
	require.Equal(t, normSlice(want), normSlice(got))
}

func requireSchema(t *testing.T, e *env, want storage.Schema) {
	t.Helper()
	got, err := e.store.Parameters().GetSchema(ctx(t))
	require.NoError(t, err, "GetSchema")
	require.Equal(t, normSchema(want), normSchema(got))
}

func parameterChecks() []check {
	return []check{
		{"a store should put parameters and list them ordered by code", func(t *testing.T, e *env) {
			requireParameters(t, e)
			a := storage.Parameter{Code: "ttl", Title: "Session TTL", Value: "3600"}
			b := storage.Parameter{Code: "generate_ddl", Title: "Generate DDL", Value: "0"}
			c := storage.Parameter{Code: "locale", Value: ""}
			putParameter(t, e, a)
			putParameter(t, e, b)
			putParameter(t, e, c)
			requireParameters(t, e, b, c, a)
		}},
		{"a store should replace a parameter put again with the same code", func(t *testing.T, e *env) {
			putParameter(t, e, storage.Parameter{Code: "ttl", Title: "TTL", Value: "3600"})
			p := storage.Parameter{Code: "ttl", Title: "", Value: "60"}
			putParameter(t, e, p)
			requireParameters(t, e, p)
		}},
		{"a store should delete a parameter and return ErrNotFound for a missing one", func(t *testing.T, e *env) {
			a := storage.Parameter{Code: "a", Value: "1"}
			putParameter(t, e, a)
			putParameter(t, e, storage.Parameter{Code: "b", Value: "2"})
			require.NoError(t, e.store.Parameters().DeleteParameter(ctx(t), "b"))
			requireParameters(t, e, a)
			require.ErrorIs(t, e.store.Parameters().DeleteParameter(ctx(t), "b"), storage.ErrNotFound, "second delete")
			require.ErrorIs(t, e.store.Parameters().DeleteParameter(ctx(t), "never"), storage.ErrNotFound)
		}},
		{"a store should reject a parameter with an empty code as ErrInvalid", func(t *testing.T, e *env) {
			require.ErrorIs(t, e.store.Parameters().PutParameter(ctx(t), storage.Parameter{Value: "1"}), storage.ErrInvalid)
			requireParameters(t, e)
		}},
		{"a store should not let a caller change parameters through a returned list", func(t *testing.T, e *env) {
			p := storage.Parameter{Code: "ttl", Value: "3600"}
			putParameter(t, e, p)
			got, err := e.store.Parameters().ListParameters(ctx(t))
			require.NoError(t, err)
			require.Len(t, got, 1)
			got[0].Value = "mutated"
			requireParameters(t, e, p)
		}},
		{"a store should return an empty, non-nil schema when none was put", func(t *testing.T, e *env) {
			got, err := e.store.Parameters().GetSchema(ctx(t))
			require.NoError(t, err)
			require.NotNil(t, got)
			require.Empty(t, got)
		}},
		{"a store should put a schema and replace it whole", func(t *testing.T, e *env) {
			s := storage.Schema{"Customer": {"name", "email"}, "Order": {"total"}, "Empty": {}}
			require.NoError(t, e.store.Parameters().PutSchema(ctx(t), s))
			requireSchema(t, e, s)
			s2 := storage.Schema{"Product": {"sku"}}
			require.NoError(t, e.store.Parameters().PutSchema(ctx(t), s2))
			requireSchema(t, e, s2)
			require.NoError(t, e.store.Parameters().PutSchema(ctx(t), storage.Schema{}))
			requireSchema(t, e, nil)
		}},
		{"a store should not let a caller change the schema through a value passed in or returned", func(t *testing.T, e *env) {
			in := storage.Schema{"Customer": {"name", "email"}}
			want := in.Clone()
			require.NoError(t, e.store.Parameters().PutSchema(ctx(t), in))
			in["Customer"][0] = "mutated"
			in["Added"] = []string{"x"}
			requireSchema(t, e, want)
			got, err := e.store.Parameters().GetSchema(ctx(t))
			require.NoError(t, err)
			got["Customer"][1] = "mutated"
			got["Added"] = []string{"x"}
			requireSchema(t, e, want)
		}},
	}
}
