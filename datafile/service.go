package datafile

import (
	"fmt"
	"unicode/utf8"
)

// Service is the data file's "service" section: the service's names and
// version. gatehouse.Open takes it into gatehouse.Config.Service, whose
// types have the same fields.
type Service struct {
	// Name is the service name (tracedata "service").
	Name string `json:"name"`
	// Server names the instance (tracedata "server").
	Server string `json:"server"`
	// Version is what GET /version serves.
	Version Version `json:"version"`
}

// Version is a service version, as the account service's GET /version
// reports it: Major 1..100, Minor 0..111, Build 1..64 characters.
type Version struct {
	Major int    `json:"major"`
	Minor int    `json:"minor"`
	Build string `json:"build"`
}

// Validate checks the limits of a version.
func (v Version) Validate() error {
	switch {
	case v.Major < 1 || v.Major > 100:
		return fmt.Errorf("version.major: %d out of range 1..100", v.Major)
	case v.Minor < 0 || v.Minor > 111:
		return fmt.Errorf("version.minor: %d out of range 0..111", v.Minor)
	case v.Build == "" || utf8.RuneCountInString(v.Build) > 64:
		return fmt.Errorf("version.build: length must be 1..64 characters")
	}
	return nil
}
