package audit

import (
	"fmt"
	"time"

	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/user"
)

// PermissionReadAll is the specific permission that lets a user read every
// action of their company, not only their own.
const PermissionReadAll = "audit_read_all"

// Viewer is who reads the audit: whose actions they may see and the time
// zone their days are cut in.
type Viewer struct {
	// Username and Company identify the viewer. Company is required.
	Username string
	Company  string
	// Location is the viewer's time zone; nil means UTC.
	Location *time.Location
	// ReadAll lets the viewer see every action of Company, not only their
	// own.
	ReadAll bool
}

// NewViewer returns the viewer for u with the permission set compiled for
// u (nil: no permissions). ReadAll is set for an admin set or one that
// allows PermissionReadAll (a read-only user's set allows no specific
// permission). A time zone that does not load is an error: statistics cut in
// the wrong zone would be silently wrong.
func NewViewer(u user.User, set *permissions.Set) (Viewer, error) {
	loc := time.UTC
	if u.Timezone != "" {
		var err error
		if loc, err = time.LoadLocation(u.Timezone); err != nil {
			return Viewer{}, fmt.Errorf("audit: user %s: time zone %q: %w", u.Username, u.Timezone, err)
		}
	}
	v := Viewer{Username: u.Username, Company: u.Company, Location: loc}
	if set != nil {
		v.ReadAll = set.Admin() || set.Specific(PermissionReadAll)
	}
	return v, nil
}

func (v Viewer) location() *time.Location {
	if v.Location == nil {
		return time.UTC
	}
	return v.Location
}

// sees reports whether the viewer may see an action of username in company.
func (v Viewer) sees(username, company string) bool {
	if v.Company == "" || company != v.Company {
		return false
	}
	return v.ReadAll || username == v.Username
}
