package storagetest

import (
	"github.com/gatehouse-go/gatehouse/storage"
)

func putParameter(t reporter, e *env, p storage.Parameter) {
	t.Helper()
	noErr(t, e.Parameters().PutParameter(ctx(t), p), "PutParameter(%q)", p.Code)
}

func requireParameters(t reporter, e *env, want ...storage.Parameter) {
	t.Helper()
	got, err := e.Parameters().ListParameters(ctx(t))
	noErr(t, err, "ListParameters")
	equal(t, normSlice(want), normSlice(got))
}

func requireSchema(t reporter, e *env, want storage.Schema) {
	t.Helper()
	got, err := e.Parameters().GetSchema(ctx(t))
	noErr(t, err, "GetSchema")
	equal(t, normSchema(want), normSchema(got))
}

func parameterChecks() []check {
	return []check{
		{"a store should put parameters and list them ordered by code", func(t reporter, e *env) {
			requireParameters(t, e)
			a := storage.Parameter{Code: "ttl", Title: "Session TTL", Value: "3600"}
			b := storage.Parameter{Code: "generate_ddl", Title: "Generate DDL", Value: "0"}
			c := storage.Parameter{Code: "locale", Value: ""}
			putParameter(t, e, a)
			putParameter(t, e, b)
			putParameter(t, e, c)
			requireParameters(t, e, b, c, a)
		}},
		{"a store should replace a parameter put again with the same code", func(t reporter, e *env) {
			putParameter(t, e, storage.Parameter{Code: "ttl", Title: "TTL", Value: "3600"})
			p := storage.Parameter{Code: "ttl", Title: "", Value: "60"}
			putParameter(t, e, p)
			requireParameters(t, e, p)
		}},
		{"a store should keep whether a parameter came from the data file", func(t reporter, e *env) {
			file := storage.Parameter{Code: "ttl", Title: "TTL", Value: "3600", FromDataFile: true}
			run := storage.Parameter{Code: "locale", Value: "en"}
			putParameter(t, e, file)
			putParameter(t, e, run)
			requireParameters(t, e, run, file)
			// Put again, a parameter takes the new origin, either way.
			file.FromDataFile, run.FromDataFile = false, true
			putParameter(t, e, file)
			putParameter(t, e, run)
			requireParameters(t, e, run, file)
		}},
		{"a store should delete a parameter and return ErrNotFound for a missing one", func(t reporter, e *env) {
			a := storage.Parameter{Code: "a", Value: "1"}
			putParameter(t, e, a)
			putParameter(t, e, storage.Parameter{Code: "b", Value: "2"})
			noErr(t, e.Parameters().DeleteParameter(ctx(t), "b"))
			requireParameters(t, e, a)
			errIs(t, e.Parameters().DeleteParameter(ctx(t), "b"), storage.ErrNotFound, "second delete")
			errIs(t, e.Parameters().DeleteParameter(ctx(t), "never"), storage.ErrNotFound)
		}},
		{"a store should reject a parameter with an empty code as ErrInvalid", func(t reporter, e *env) {
			errIs(t, e.Parameters().PutParameter(ctx(t), storage.Parameter{Value: "1"}), storage.ErrInvalid)
			requireParameters(t, e)
		}},
		{"a store should not let a caller change parameters through a returned list", func(t reporter, e *env) {
			p := storage.Parameter{Code: "ttl", Value: "3600"}
			putParameter(t, e, p)
			got, err := e.Parameters().ListParameters(ctx(t))
			noErr(t, err)
			hasLen(t, got, 1)
			got[0].Value = "mutated"
			requireParameters(t, e, p)
		}},
		{"a store should return an empty, non-nil schema when none was put", func(t reporter, e *env) {
			got, err := e.Parameters().GetSchema(ctx(t))
			noErr(t, err)
			notNil(t, got)
			empty(t, got)
		}},
		{"a store should put a schema and replace it whole", func(t reporter, e *env) {
			s := storage.Schema{"Customer": {"name", "email"}, "Order": {"total"}, "Empty": {}}
			noErr(t, e.Parameters().PutSchema(ctx(t), s))
			requireSchema(t, e, s)
			s2 := storage.Schema{"Product": {"sku"}}
			noErr(t, e.Parameters().PutSchema(ctx(t), s2))
			requireSchema(t, e, s2)
			noErr(t, e.Parameters().PutSchema(ctx(t), storage.Schema{}))
			requireSchema(t, e, nil)
		}},
		{"a store should not let a caller change the schema through a value passed in or returned", func(t reporter, e *env) {
			in := storage.Schema{"Customer": {"name", "email"}}
			want := in.Clone()
			noErr(t, e.Parameters().PutSchema(ctx(t), in))
			in["Customer"][0] = "mutated"
			in["Added"] = []string{"x"}
			requireSchema(t, e, want)
			got, err := e.Parameters().GetSchema(ctx(t))
			noErr(t, err)
			got["Customer"][1] = "mutated"
			got["Added"] = []string{"x"}
			requireSchema(t, e, want)
		}},
	}
}
