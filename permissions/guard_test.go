package permissions_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse/permissions"
)

func guardSet(t *testing.T) *permissions.Set {
	return compile(t, []P{{
		Code:       "a",
		Entities:   map[string][]permissions.Op{"Customer": ops(C, R, U), "Product": ops(R), "*": ops(R, U)},
		Attributes: attrs{"Customer": {"*": M, "secret": H, "rating": Rd}, "Product": {"*": M, "tags": H}},
	}}, false, false)
}

func TestFilterRecord(t *testing.T) {
	s := guardSet(t)
	tests := []struct {
		name, entity string
		in, want     map[string]any
	}{
		{"hidden attribute dropped", "Customer",
			map[string]any{"name": "n", "secret": "s", "rating": 5},
			map[string]any{"name": "n", "rating": 5}},
		{"capped entity keeps readable attributes", "Product",
			map[string]any{"price": 1, "tags": []string{"x"}},
			map[string]any{"price": 1}},
		{"entity no attribute grant covers: everything dropped", "Order",
			map[string]any{"total": 1}, map[string]any{}},
		{"nil record", "Customer", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := s.FilterRecord(tt.entity, tt.in)
			assert.Equal(t, tt.want, got)
			if tt.in != nil {
				assert.Equal(t, tt.want, tt.in, "filtered in place")
			}
		})
	}
}

func TestCheckWrite(t *testing.T) {
	s := guardSet(t)
	tests := []struct {
		name, entity string
		rec          map[string]any
		refused      []string
	}{
		{"modifiable attributes", "Customer", map[string]any{"name": "n", "type": "t"}, nil},
		{"empty write", "Customer", map[string]any{}, nil},
		{"read-only and hidden attributes refused, sorted", "Customer",
			map[string]any{"secret": 1, "name": "n", "rating": 2}, []string{"rating", "secret"}},
		{"entity without create or update caps at read", "Product", map[string]any{"price": 2}, []string{"price"}},
		{"attribute no grant mentions", "Order", map[string]any{"total": 1}, []string{"total"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.CheckWrite(tt.entity, tt.rec)
			if tt.refused == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, permissions.ErrForbiddenAttributes)
			var ae *permissions.AttributeError
			require.True(t, errors.As(err, &ae))
			assert.Equal(t, tt.entity, ae.Entity)
			assert.Equal(t, tt.refused, ae.Attributes)
			for _, a := range tt.refused {
				assert.Contains(t, err.Error(), a)
			}
		})
	}
}

func TestCheckWriteReadOnly(t *testing.T) {
	s := compile(t, []P{{Code: "a", Entities: map[string][]permissions.Op{"*": ops(C, R, U, D)},
		Attributes: attrs{"*": {"*": M}}}}, true, false)
	err := s.CheckWrite("Customer", map[string]any{"name": "x"})
	require.ErrorIs(t, err, permissions.ErrForbiddenAttributes)
	assert.Equal(t, `permissions: attributes may not be modified: Customer: name`, err.Error())
}

type Base struct {
	ID     string `json:"id"`
	Secret string `json:"secret"`
}

type inner struct {
	Rating int
}

type customer struct {
	Base
	*inner
	Name     string `json:"name,omitempty"`
	Type     string `json:"type"`
	Internal string `json:"-"`
	//lint:ignore SA5008 the "-," tag (a field named "-") is what this test is about
	Dash    string `json:"-,"`
	Plain   string
	Tagless string `json:",omitempty"`
	private string
	ID      string `json:"id"` // shadows Base.ID
}

func TestFilterStruct(t *testing.T) {
	s := compile(t, []P{{Code: "a", Entities: map[string][]permissions.Op{"Customer": ops(R, U)},
		Attributes: attrs{"Customer": {"*": M, "secret": H}}}}, false, false)
	c := customer{
		Base: Base{ID: "base", Secret: "s"}, inner: &inner{Rating: 4}, Name: "n", Type: "t",
		Internal: "i", Dash: "d", Plain: "p", Tagless: "tl", private: "x", ID: "outer",
	}
	want := map[string]any{"id": "outer", "name": "n", "type": "t", "-": "d", "Plain": "p", "Tagless": "tl", "Rating": 4}
	for _, v := range []any{c, &c} {
		got, err := s.FilterStruct("Customer", v)
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}

	got, err := s.FilterStruct("Customer", (*customer)(nil))
	require.NoError(t, err)
	assert.Empty(t, got)

	_, err = s.FilterStruct("Customer", map[string]any{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "permissions: ")

	got, err = s.FilterStruct("Other", c)
	require.NoError(t, err)
	assert.Empty(t, got, "no read on Other hides every field")
}
