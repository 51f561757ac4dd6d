// Command seeds serves gatehouse at the paths and in the shapes of the five
// compatible APIs (docs/compatible-apis.md), from one process:
//
//	GET  /restapi/services/run/session   the CRM session document, Authorization: Bearer <token>
//	GET  /user/                          the telephony "current user" (kind ids)
//	GET  /api/oas/user                   the EDI "current user", Cookie: SID=<id from POST /login>
//	GET  /rest/userInfo, /rest/permissions   Jmix
//	POST /token, /token/check, /password; GET, PUT /account   the account service
//
// Jmix's endpoints and the account service are gatehouse's own handler,
// mounted under a prefix and at the root. The CRM, telephony and EDI
// endpoints are the host's handlers behind Gatehouse.Authenticate: they read
// the caller with session.FromContext and reshape it
// (Gatehouse.SessionDocument builds the CRM's document with the host's
// sections). Try:
//
//	go run ./examples/seeds &
//	TOKEN=$(curl -s localhost:8081/token -H 'Content-Type: application/json' \
//	  -d '{"username":"admin","password":"admin-demo-password"}' | tr -d '"')
//	curl -s localhost:8081/restapi/services/run/session -H "Authorization: Bearer $TOKEN"
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net/http"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8081", "listen address")
	flag.Parse()
	h, g, err := newServer(context.Background(), options{})
	if err != nil {
		log.Fatal(err)
	}
	defer g.Close()
	for _, u := range demoUsers() {
		fmt.Printf("user %-22s password %s\n", u.Username, u.Password)
	}
	srv := &http.Server{Addr: *addr, Handler: h, ReadHeaderTimeout: 10 * time.Second}
	log.Printf("seeds: listening on http://%s", *addr)
	log.Fatal(srv.ListenAndServe())
}
