package bench

import (
	"fmt"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
)

// CasbinEnforcer returns a plain casbin Enforcer holding the policy and the
// role assignments of users 0..users-1.
func (p *Policy) CasbinEnforcer(users int) (*casbin.Enforcer, error) {
	m, err := model.NewModelFromString(CasbinModel)
	if err != nil {
		return nil, fmt.Errorf("bench: casbin model: %w", err)
	}
	e, err := casbin.NewEnforcer(m)
	if err != nil {
		return nil, fmt.Errorf("bench: casbin enforcer: %w", err)
	}
	if err := p.load(e, users); err != nil {
		return nil, err
	}
	return e, nil
}

// CasbinCachedEnforcer returns a casbin CachedEnforcer holding the policy and
// the role assignments of users 0..users-1.
func (p *Policy) CasbinCachedEnforcer(users int) (*casbin.CachedEnforcer, error) {
	m, err := model.NewModelFromString(CasbinModel)
	if err != nil {
		return nil, fmt.Errorf("bench: casbin model: %w", err)
	}
	e, err := casbin.NewCachedEnforcer(m)
	if err != nil {
		return nil, fmt.Errorf("bench: casbin cached enforcer: %w", err)
	}
	if err := p.load(e.Enforcer, users); err != nil {
		return nil, err
	}
	return e, nil
}

// load adds the rules, the role hierarchy and the users to e, then builds
// casbin's role links once.
func (p *Policy) load(e *casbin.Enforcer, users int) error {
	e.EnableAutoBuildRoleLinks(false)
	if _, err := e.AddPolicies(p.Rules); err != nil {
		return fmt.Errorf("bench: casbin policies: %w", err)
	}
	g := append([][]string(nil), p.Inherit...)
	for u := range users {
		g = append(g, p.UserRules(u)...)
	}
	if len(g) > 0 {
		if _, err := e.AddGroupingPolicies(g); err != nil {
			return fmt.Errorf("bench: casbin grouping policies: %w", err)
		}
	}
	if err := e.BuildRoleLinks(); err != nil {
		return fmt.Errorf("bench: casbin role links: %w", err)
	}
	return nil
}
