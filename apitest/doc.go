// Package apitest validates gatehouse's HTTP API against its own OpenAPI
// document: it has only tests.
package apitest
