// Package gatehouse is an embeddable library for session and permission
// logic: who the caller is (login, tokens, sessions), what they may do
// (roles, CRUD and attribute permissions, specific operations, quotas) and
// what they did (audit).
//
// An application creates one [Gatehouse] with [New], keeps its state in a
// [storage.Store] (in memory by default), and mounts [Gatehouse.Handler] on
// its own mux for the ready-made HTTP API:
//
//	g, err := gatehouse.New(gatehouse.Config{})
//	if err != nil { ... }
//	defer g.Close()
//	mux := http.NewServeMux()
//	mux.Handle("/auth/", http.StripPrefix("/auth", g.Handler()))
//
// # Architecture
//
// The logic lives in small packages that never import net/http; this root
// package is the HTTP face and the facade that wires them:
//
//	gatehouse (HTTP handlers, error bodies, data file)
//	  └─ user         User, field validation, password hashing
//	  └─ permissions  roles and grants
//	  └─ storage      one interface per concern; memstore, storagetest
//
// Dependencies point one way, towards storage. The core module needs only
// golang-jwt and golang.org/x/crypto.
//
// # Errors
//
// Every 4xx and 5xx answer has the body of the account service (seed 004),
// see [ErrorBody]: a tracedata object whose code is the request's trace code,
// also sent as the X-Trace-Code header and logged with log/slog, and a
// message that names the field and the rule for a 400. 5xx bodies never carry
// internals. JSON request bodies over 1 MiB get 413, a wrong Content-Type
// 415, malformed JSON and unknown fields 400.
//
// # The data file
//
// A deployment declares its service, schema, session parameters, roles and
// first users in one JSON file; [ReadDataFile] validates all of it (errors
// name the place, such as users[3].email) and [DataFile.Apply] writes it to a
// store, idempotently. See examples/server/demo.json.
//
// # Implementing a store
//
// A store implements [storage.Store]: one small interface per concern, each
// method's contract on the method. Run the conformance suite from its tests:
//
//	func TestConformance(t *testing.T) {
//		storagetest.Run(t, func(t *testing.T) storage.Store { return mystore.New(...) })
//	}
//
// Package storage/memstore is the reference implementation.
package gatehouse
