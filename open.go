package gatehouse

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/gatehouse-go/gatehouse/datafile"
)

// Open starts a Gatehouse from a data file: the one call a host needs when
// its deployment is described by one (see package datafile). It takes the file's
// service section into the configuration, then calls [New] and
// [Gatehouse.ApplyDataFile], whose counts and warnings it logs.
//
// The service's name, server and version come from the file unless
// cfg.Service sets them; a field set in both to different values is an
// error, so neither silently wins. When applying the file fails, Open closes
// what it opened and returns the error, which names the place in the file.
//
//	data, err := datafile.Read("gatehouse.json")
//	if err != nil {
//		log.Fatal(err) // names the place: roles[2].base[0]: unknown role "ghost"
//	}
//	g, err := gatehouse.Open(ctx, gatehouse.Config{Store: store, Keys: keys}, data)
func Open(ctx context.Context, cfg Config, data *datafile.File) (*Gatehouse, error) {
	if data == nil {
		return nil, errors.New("gatehouse: Open: no data file")
	}
	svc, err := mergeService(cfg.Service, Service{Name: data.Service.Name, Server: data.Service.Server, Version: Version(data.Service.Version)})
	if err != nil {
		return nil, err
	}
	cfg.Service = svc
	g, err := New(cfg)
	if err != nil {
		return nil, err
	}
	rep, err := g.ApplyDataFile(ctx, data)
	if err != nil {
		_ = g.Close()
		return nil, err
	}
	g.log.LogAttrs(ctx, slog.LevelInfo, "gatehouse: data file applied",
		slog.Int("parameters_put", rep.ParametersPut), slog.Int("parameters_deleted", rep.ParametersDeleted),
		slog.Int("roles_put", rep.RolesPut), slog.Int("roles_deleted", rep.RolesDeleted), slog.Int("roles_kept", rep.RolesKept),
		slog.Int("parameters_kept", rep.ParametersKept),
		slog.Int("users_created", rep.UsersCreated), slog.Int("users_kept", rep.UsersKept))
	return g, nil
}

// mergeService fills the fields cfg leaves empty from the data file's
// service section and refuses a field the two set differently.
func mergeService(cfg, file Service) (Service, error) {
	out := cfg
	if file.Name != "" {
		if cfg.Name != "" && cfg.Name != file.Name {
			return out, fmt.Errorf("gatehouse: Config.Service.Name %q and the data file's service.name %q differ", cfg.Name, file.Name)
		}
		out.Name = file.Name
	}
	if file.Server != "" {
		if cfg.Server != "" && cfg.Server != file.Server {
			return out, fmt.Errorf("gatehouse: Config.Service.Server %q and the data file's service.server %q differ", cfg.Server, file.Server)
		}
		out.Server = file.Server
	}
	if file.Version != (Version{}) {
		if cfg.Version != (Version{}) && cfg.Version != file.Version {
			return out, fmt.Errorf("gatehouse: Config.Service.Version %+v and the data file's service.version %+v differ", cfg.Version, file.Version)
		}
		out.Version = file.Version
	}
	return out, nil
}

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
