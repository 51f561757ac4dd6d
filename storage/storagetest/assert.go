package storagetest

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"
)

// The assertions of the suite. Each ends the check with FailNow when it
// fails, after reporting what it expected, what it got, and the message
// msgAndArgs gives: a format string and its arguments, or nothing.

// fatal reports failure, prefixed with the caller's message, and ends the
// check.
func fatal(t reporter, failure string, msgAndArgs []any) {
	t.Helper()
	if m := message(msgAndArgs); m != "" {
		failure = m + ": " + failure
	}
	t.Errorf("%s", failure)
	t.FailNow()
}

func message(msgAndArgs []any) string {
	if len(msgAndArgs) == 0 {
		return ""
	}
	format, ok := msgAndArgs[0].(string)
	if !ok {
		return fmt.Sprint(msgAndArgs...)
	}
	if len(msgAndArgs) == 1 {
		return format
	}
	return fmt.Sprintf(format, msgAndArgs[1:]...)
}

// noErr requires err to be nil.
func noErr(t reporter, err error, msgAndArgs ...any) {
	t.Helper()
	if err != nil {
		fatal(t, fmt.Sprintf("unexpected error: %v", err), msgAndArgs)
	}
}

// anyErr requires err not to be nil.
func anyErr(t reporter, err error, msgAndArgs ...any) {
	t.Helper()
	if err == nil {
		fatal(t, "got no error, want one", msgAndArgs)
	}
}

// errIs requires errors.Is(err, target).
func errIs(t reporter, err, target error, msgAndArgs ...any) {
	t.Helper()
	if !errors.Is(err, target) {
		fatal(t, fmt.Sprintf("got error %v, want %v", err, target), msgAndArgs)
	}
}

// isTrue requires cond.
func isTrue(t reporter, cond bool, msgAndArgs ...any) {
	t.Helper()
	if !cond {
		fatal(t, "got false, want true", msgAndArgs)
	}
}

// isFalse requires !cond.
func isFalse(t reporter, cond bool, msgAndArgs ...any) {
	t.Helper()
	if cond {
		fatal(t, "got true, want false", msgAndArgs)
	}
}

// equal requires got to equal want as reflect.DeepEqual has it: the values
// a check compares are first put in canonical form (see compare.go).
func equal[V any](t reporter, want, got V, msgAndArgs ...any) {
	t.Helper()
	if !reflect.DeepEqual(want, got) {
		fatal(t, "not equal:\n"+diff(want, got), msgAndArgs)
	}
}

// isNil reports whether v is nil or holds a nil pointer, map, slice,
// channel, function or interface.
func isNil(v any) bool {
	if v == nil {
		return true
	}
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.Chan, reflect.Func, reflect.Interface, reflect.Map, reflect.Pointer, reflect.Slice, reflect.UnsafePointer:
		return rv.IsNil()
	}
	return false
}

// notNil requires v not to be nil (see isNil).
func notNil(t reporter, v any, msgAndArgs ...any) {
	t.Helper()
	if isNil(v) {
		fatal(t, fmt.Sprintf("got nil %T", v), msgAndArgs)
	}
}

// length returns the length of a slice, map, string or channel, or -1.
func length(v any) int {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Map, reflect.String, reflect.Chan, reflect.Array:
		return rv.Len()
	}
	return -1
}

// empty requires v, a slice or map, to have no elements.
func empty(t reporter, v any, msgAndArgs ...any) {
	t.Helper()
	if n := length(v); n != 0 {
		fatal(t, fmt.Sprintf("got %d elements, want none: %#v", n, v), msgAndArgs)
	}
}

// hasLen requires v, a slice or map, to have n elements.
func hasLen(t reporter, v any, n int, msgAndArgs ...any) {
	t.Helper()
	if got := length(v); got != n {
		fatal(t, fmt.Sprintf("got %d elements, want %d: %#v", got, n, v), msgAndArgs)
	}
}

// elementsMatch requires got to hold the elements of want, each as often,
// in any order.
func elementsMatch[E any](t reporter, want, got []E, msgAndArgs ...any) {
	t.Helper()
	used := make([]bool, len(got))
	var missing []E
	for _, w := range want {
		found := false
		for i, g := range got {
			if !used[i] && reflect.DeepEqual(w, g) {
				used[i], found = true, true
				break
			}
		}
		if !found {
			missing = append(missing, w)
		}
	}
	var extra []E
	for i, g := range got {
		if !used[i] {
			extra = append(extra, g)
		}
	}
	if len(missing) > 0 || len(extra) > 0 {
		fatal(t, fmt.Sprintf("elements differ:\nmissing: %#v\n  extra: %#v", missing, extra), msgAndArgs)
	}
}

// withinRange requires got to lie in [from, to].
func withinRange(t reporter, got, from, to time.Time, msgAndArgs ...any) {
	t.Helper()
	if got.Before(from) || got.After(to) {
		fatal(t, fmt.Sprintf("got %v, want a time in [%v, %v]", got, from, to), msgAndArgs)
	}
}

// withinDuration requires got to be at most delta away from want.
func withinDuration(t reporter, want, got time.Time, delta time.Duration, msgAndArgs ...any) {
	t.Helper()
	if d := want.Sub(got); d < -delta || d > delta {
		fatal(t, fmt.Sprintf("got %v, want %v give or take %v (off by %v)", got, want, delta, d), msgAndArgs)
	}
}

// eventually requires cond to hold within waitFor, asking every tick.
func eventually(t reporter, cond func() bool, waitFor, tick time.Duration, msgAndArgs ...any) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for {
		time.Sleep(tick)
		if cond() {
			return
		}
		if !time.Now().Before(deadline) {
			fatal(t, fmt.Sprintf("condition not met within %v", waitFor), msgAndArgs)
		}
	}
}

// diff describes how got differs from want: the fields of a struct, the
// elements of a slice and the keys of a map that differ, then both values.
func diff(want, got any) string {
	var b strings.Builder
	diffValue(&b, "", reflect.ValueOf(want), reflect.ValueOf(got), 0)
	fmt.Fprintf(&b, "want: %#v\n got: %#v", want, got)
	return b.String()
}

// maxDiffLines bounds the lines diffValue writes.
const maxDiffLines = 20

func diffValue(b *strings.Builder, path string, w, g reflect.Value, lines int) int {
	if lines >= maxDiffLines || !w.IsValid() || !g.IsValid() || w.Type() != g.Type() {
		return lines
	}
	line := func(p, format string, args ...any) {
		if lines < maxDiffLines {
			if p == "" {
				p = "value"
			}
			fmt.Fprintf(b, "  %s: %s\n", p, fmt.Sprintf(format, args...))
			lines++
		}
	}
	switch w.Kind() {
	case reflect.Struct:
		if w.Type() == reflect.TypeFor[time.Time]() {
			break
		}
		for i := range w.NumField() {
			f := w.Type().Field(i)
			if !f.IsExported() || reflect.DeepEqual(w.Field(i).Interface(), g.Field(i).Interface()) {
				continue
			}
			lines = diffValue(b, join(path, f.Name), w.Field(i), g.Field(i), lines)
		}
		return lines
	case reflect.Slice, reflect.Array:
		if w.Len() != g.Len() {
			line(path, "length %d, want %d", g.Len(), w.Len())
			return lines
		}
		for i := range w.Len() {
			if !reflect.DeepEqual(w.Index(i).Interface(), g.Index(i).Interface()) {
				lines = diffValue(b, fmt.Sprintf("%s[%d]", path, i), w.Index(i), g.Index(i), lines)
			}
		}
		return lines
	case reflect.Map:
		keys := map[string]reflect.Value{}
		for _, k := range append(w.MapKeys(), g.MapKeys()...) {
			keys[fmt.Sprintf("%#v", k.Interface())] = k
		}
		names := make([]string, 0, len(keys))
		for n := range keys {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			k := keys[n]
			wv, gv := w.MapIndex(k), g.MapIndex(k)
			p := fmt.Sprintf("%s[%s]", path, n)
			switch {
			case !gv.IsValid():
				line(p, "missing, want %#v", wv.Interface())
			case !wv.IsValid():
				line(p, "%#v, want no such key", gv.Interface())
			case !reflect.DeepEqual(wv.Interface(), gv.Interface()):
				lines = diffValue(b, p, wv, gv, lines)
			}
		}
		return lines
	case reflect.Pointer, reflect.Interface:
		if !w.IsNil() && !g.IsNil() {
			return diffValue(b, path, w.Elem(), g.Elem(), lines)
		}
	}
	if w.CanInterface() && g.CanInterface() {
		line(path, "%#v, want %#v", g.Interface(), w.Interface())
	}
	return lines
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}
