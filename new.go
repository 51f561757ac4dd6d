package gatehouse

import (
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse-go/gatehouse/audit"
	"github.com/gatehouse-go/gatehouse/manage"
	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/quota"
	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/storage/cachestore"
	"github.com/gatehouse-go/gatehouse/storage/memstore"
	"github.com/gatehouse-go/gatehouse/token"
)

// New validates cfg, fills in its defaults and returns a Gatehouse.
func New(cfg Config) (*Gatehouse, error) {
	g := &Gatehouse{
		store:     cfg.Store,
		keys:      cfg.Keys,
		service:   cfg.Service,
		log:       cfg.Logger,
		now:       cfg.Now,
		maxBody:   cfg.MaxBodyBytes,
		healthTTL: cfg.HealthTimeout,
	}
	if g.service.Name == "" {
		g.service.Name = "gatehouse"
	}
	if g.service.Server == "" {
		g.service.Server = hostname()
	}
	if g.service.Version == (Version{}) {
		g.service.Version = Version{Major: 1, Minor: 0, Build: "dev"}
	}
	if err := g.service.Version.Validate(); err != nil {
		return nil, err
	}
	if g.log == nil {
		g.log = slog.Default()
	}
	if g.now == nil {
		g.now = time.Now
	}
	switch {
	case g.maxBody == 0:
		g.maxBody = DefaultMaxBodyBytes
	case g.maxBody < 0:
		return nil, errors.New("gatehouse: MaxBodyBytes must not be negative")
	}
	switch {
	case g.healthTTL == 0:
		g.healthTTL = 2 * time.Second
	case g.healthTTL < 0:
		return nil, errors.New("gatehouse: HealthTimeout must not be negative")
	}
	if err := g.initDocuments(cfg); err != nil {
		return nil, err
	}
	if g.keys == nil {
		k, err := token.GenerateEd25519("")
		if err != nil {
			return nil, fmt.Errorf("gatehouse: generate a signing key: %w", err)
		}
		if g.keys, err = token.NewKeySet(k); err != nil {
			return nil, fmt.Errorf("gatehouse: %w", err)
		}
		g.log.Warn("gatehouse: no Config.Keys: signing tokens with a generated Ed25519 key that dies with the process", "kid", k.KID())
	}
	if g.store == nil {
		g.store = memstore.New(memstore.Config{Now: g.now})
		g.ownsStore = true
	}
	if cfg.Cache != nil {
		cc := *cfg.Cache
		if cc.Now == nil {
			cc.Now = g.now
		}
		if cc.Logger == nil {
			cc.Logger = g.log
		}
		c, err := cachestore.New(g.store, cc)
		if err != nil {
			_ = g.releaseStore()
			return nil, fmt.Errorf("gatehouse: Cache: %w", err)
		}
		g.cache, g.store = c, c
	}
	if err := g.initMetering(cfg); err != nil {
		_ = g.releaseStore()
		return nil, err
	}
	if err := g.initSessions(cfg); err != nil {
		_ = g.recorder.Close()
		_ = g.releaseStore()
		return nil, err
	}
	g.manage, _ = manage.New(g.store, g.sessions, manage.Config{
		Now: g.now, Logger: g.log, Audit: g.recorder,
		PasswordPolicy: g.sessions.PasswordPolicy(), Service: g.service.Name,
	})
	return g, nil
}

// releaseStore undoes what New did to the store: stops the cache
// (Config.Cache), and closes the store if New opened it. Close ends with
// it too.
func (g *Gatehouse) releaseStore() error {
	if g.cache != nil {
		g.cache.Stop()
	}
	if g.ownsStore {
		return g.store.Close()
	}
	return nil
}

// initMetering builds the audit recorder and the quota enforcer over the
// store's audit and counter stores, taken once: a store's accessors are
// stable for its lifetime (storage.Store).
func (g *Gatehouse) initMetering(cfg Config) error {
	ac := cfg.Audit
	if ac.Server == "" {
		ac.Server = g.service.Server
	}
	if ac.Now == nil {
		ac.Now = g.now
	}
	if ac.Logger == nil {
		ac.Logger = g.log
	}
	if ac.Observer == nil {
		ac.Observer = cfg.Observer
	}
	rec, err := audit.New(g.store.Audit(), ac)
	if err != nil {
		return fmt.Errorf("gatehouse: %w", err)
	}
	qc := cfg.Quota
	if qc.Now == nil {
		qc.Now = g.now
	}
	if qc.Observer == nil {
		qc.Observer = cfg.Observer
	}
	enf, err := quota.New(g.store.Counters(), qc)
	if err != nil {
		_ = rec.Close()
		return fmt.Errorf("gatehouse: %w", err)
	}
	g.recorder, g.quotas, g.report = rec, enf, cfg.ReportWriter
	return nil
}

// initSessions builds the session manager and the cookie settings.
func (g *Gatehouse) initSessions(cfg Config) error {
	sc := cfg.Session
	if sc.Now == nil {
		sc.Now = g.now
	}
	if sc.Logger == nil {
		sc.Logger = g.log
	}
	if sc.Service == "" {
		sc.Service = g.service.Name
	}
	if sc.Server == "" {
		sc.Server = g.service.Server
	}
	if sc.Token.Service == "" {
		sc.Token.Service = g.service.Name
	}
	if sc.Audit == nil {
		sc.Audit = g.recorder
	}
	g.observer = cfg.Observer
	if sc.Observer == nil {
		sc.Observer = cfg.Observer
	}
	m, err := session.New(g.store, g.keys, sc)
	if err != nil {
		return fmt.Errorf("gatehouse: %w", err)
	}
	g.sessions = m
	g.cookieName = cfg.CookieName
	if g.cookieName == "" {
		g.cookieName = DefaultCookieName
	}
	if !validCookieName(g.cookieName) {
		return fmt.Errorf("gatehouse: CookieName %q is not a cookie name", g.cookieName)
	}
	g.cookieSecure = !cfg.InsecureCookie
	if strings.HasPrefix(g.cookieName, "__Host-") || strings.HasPrefix(g.cookieName, "__Secure-") {
		if !g.cookieSecure {
			return fmt.Errorf("gatehouse: a %q cookie must be Secure", g.cookieName)
		}
	}
	g.proxies = slices.Clone(cfg.TrustedProxies)
	return g.initWeb(cfg)
}

// initDocuments checks and keeps the settings of the session, user and
// account documents.
func (g *Gatehouse) initDocuments(cfg Config) error {
	g.defaultLocale = cfg.DefaultLocale
	if g.defaultLocale == "" {
		g.defaultLocale = DefaultLocale
	}
	g.sections = make(map[string]SessionSection, len(cfg.SessionSections))
	for name, s := range cfg.SessionSections {
		switch name {
		case "", keySessionInfo, keySessionRoles, keySessionRoleParams, keySessionParameters:
			return fmt.Errorf("gatehouse: SessionSections: %q is not a name a section may take", name)
		}
		if s == nil {
			return fmt.Errorf("gatehouse: SessionSections: %q is nil", name)
		}
		g.sections[name] = s
	}
	g.sectionNames = slices.Sorted(maps.Keys(g.sections))
	for i, name := range cfg.Specifics {
		if err := permissions.ValidateName(name, false); err != nil {
			return fmt.Errorf("gatehouse: Specifics[%d]: %w", i, err)
		}
	}
	g.configSpecifics = slices.Clone(cfg.Specifics)
	g.setDeclaredSpecifics(nil)
	return nil
}

// hostname is the default Service.Server.
func hostname() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		return "gatehouse"
	}
	return h
}
