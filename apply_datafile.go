package gatehouse

import (
	"context"

	"github.com/gatehouse-go/gatehouse/datafile"
)

// ApplyDataFile applies d to the gatehouse's store (see [datafile.File.Apply])
// with the password hasher its sessions verify with and its clock, so that
// the users it creates can log in whatever hasher Config.Session sets.
//
// Each of the report's warnings is also logged, at level Warn, to the
// gatehouse's logger.
//
// Once the file is applied, its declared specific permissions
// (datafile.File.Specifics) become this gatehouse's, which GET /permissions and
// the session document enumerate beside the names the roles grant. They
// are kept in the gatehouse, not the store, so every instance applies the
// file at start (as the store's roles and schema are idempotent to apply,
// this is safe); [datafile.File.Apply] alone, to a store, does not set them.
func (g *Gatehouse) ApplyDataFile(ctx context.Context, d *datafile.File) (datafile.Report, error) {
	rep, err := d.Apply(ctx, g.store, g.sessions.Hasher(), g.now())
	for _, w := range rep.Warnings {
		g.log.WarnContext(ctx, "gatehouse: data file: "+w.Message, "place", w.Place)
	}
	if err == nil {
		g.setDeclaredSpecifics(d.Specifics)
	}
	return rep, err
}
