package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
)

// migrations holds one directory of numbered SQL files per dialect:
// NNNN_name.sql, applied in order, each once.
//
//go:embed migrations
var migrations embed.FS

// migration is one numbered schema change.
type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations returns the dialect's migrations in version order.
func loadMigrations(dialect string) ([]migration, error) {
	dir := path.Join("migrations", dialect)
	entries, err := fs.ReadDir(migrations, dir)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: migrations: %w", err)
	}
	var out []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(e.Name(), ".sql") {
			return nil, fmt.Errorf("sqlstore: migration file %q is not NNNN_name.sql", e.Name())
		}
		b, err := fs.ReadFile(migrations, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("sqlstore: migrations: %w", err)
		}
		out = append(out, migration{version: v, name: e.Name(), sql: string(b)})
	}
	slices.SortFunc(out, func(a, b migration) int { return a.version - b.version })
	return out, nil
}

// SchemaVersion is the schema version this package migrates databases to.
func SchemaVersion() int {
	ms, err := loadMigrations(postgres.name)
	if err != nil || len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].version
}

// statements splits a migration into its statements (each ends with ";"
// at the end of a line). A ";" at the end of a line inside a
// dollar-quoted body ($$ … $$, as in a PL/pgSQL function) does not end
// the statement.
func statements(sql string) []string {
	var out []string
	var cur strings.Builder
	for _, part := range strings.Split(sql, ";\n") {
		if cur.Len() > 0 {
			cur.WriteString(";\n")
		}
		cur.WriteString(part)
		if strings.Count(cur.String(), "$$")%2 == 1 {
			continue // inside a dollar-quoted body
		}
		if st := strings.TrimSpace(cur.String()); st != "" && !onlyComments(st) {
			out = append(out, st)
		}
		cur.Reset()
	}
	if st := strings.TrimSpace(cur.String()); st != "" && !onlyComments(st) {
		out = append(out, st)
	}
	return out
}

func onlyComments(st string) bool {
	for _, line := range strings.Split(st, "\n") {
		if l := strings.TrimSpace(line); l != "" && !strings.HasPrefix(l, "--") {
			return false
		}
	}
	return true
}

// migrate applies the migrations the database lacks, in one transaction.
// On PostgreSQL the transaction first takes an advisory lock, so processes
// starting together migrate one after the other (the later ones find
// nothing to do); on SQLite the transaction begins IMMEDIATE, which takes
// the write lock at once. A database stamped with a newer version than the
// newest migration is refused with ErrSchemaTooNew.
func (s *Store) migrate(ctx context.Context) error {
	ms, err := loadMigrations(s.d.name)
	if err != nil {
		return err
	}
	tx, err := s.begin(ctx)
	if err != nil {
		return fmt.Errorf("sqlstore: migrate: %w", err)
	}
	defer tx.Rollback()
	if s.d.name == postgres.name {
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(7000, 1)"); err != nil {
			return fmt.Errorf("sqlstore: migrate: lock: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS gh_migrations (
	version INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	applied_us BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("sqlstore: migrate: %w", err)
	}
	applied, current, err := appliedVersions(ctx, tx)
	if err != nil {
		return err
	}
	latest := 0
	if len(ms) > 0 {
		latest = ms[len(ms)-1].version
	}
	if current > latest {
		return fmt.Errorf("%w: database at version %d, this gatehouse knows up to %d", ErrSchemaTooNew, current, latest)
	}
	for _, m := range ms {
		if applied[m.version] {
			continue
		}
		if check := migrationChecks[m.name]; check != nil {
			if err := check(ctx, tx); err != nil {
				return fmt.Errorf("%w (migration %s refused)", err, m.name)
			}
		}
		for _, st := range statements(m.sql) {
			if _, err := tx.ExecContext(ctx, st); err != nil {
				return fmt.Errorf("sqlstore: migration %s: %w", m.name, err)
			}
		}
		if _, err := tx.ExecContext(ctx, s.q("INSERT INTO gh_migrations (version, name, applied_us) VALUES ($1, $2, $3)"),
			m.version, m.name, s.clock()); err != nil {
			return fmt.Errorf("sqlstore: migration %s: %w", m.name, err)
		}
		s.log.InfoContext(ctx, "sqlstore: applied migration", "dialect", s.d.name, "version", m.version, "name", m.name)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: migrate: commit: %w", err)
	}
	return nil
}

// migrationChecks are run, in the migration's transaction, before the
// migration of that file name: each refuses with an error that tells the
// operator what to fix, where the migration's own statements would fail
// with a bare constraint error.
// appliedVersions returns the versions gh_migrations records, and the
// highest of them (0 for none). migrate applies every migration of this
// gatehouse that is not recorded, not only those above the highest: two
// migrations written side by side may be released in either order (0006
// before 0005, say), and a database that got the later one first still
// gets the other. Each migration must therefore stand on its own, touching
// only what it creates or what every earlier-numbered release had.
func appliedVersions(ctx context.Context, tx *sql.Tx) (map[int]bool, int, error) {
	rows, err := tx.QueryContext(ctx, "SELECT version FROM gh_migrations")
	if err != nil {
		return nil, 0, fmt.Errorf("sqlstore: migrate: read version: %w", err)
	}
	defer rows.Close()
	applied, current := map[int]bool{}, 0
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, 0, fmt.Errorf("sqlstore: migrate: read version: %w", err)
		}
		applied[v], current = true, max(current, v)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("sqlstore: migrate: read version: %w", err)
	}
	return applied, current, nil
}

var migrationChecks = map[string]func(ctx context.Context, tx *sql.Tx) error{
	"0002_username_fold.sql": checkUsernameFold,
}

// maxCollisions is how many users a collision error names.
const maxCollisions = 50

// checkUsernameFold refuses a database holding usernames equal up to case,
// naming them, rather than letting the unique index on lower(username) fail
// or choosing which user to drop.
func checkUsernameFold(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT lower(username), username, id FROM gh_users
		WHERE lower(username) IN (SELECT lower(username) FROM gh_users GROUP BY lower(username) HAVING COUNT(*) > 1)
		ORDER BY lower(username), username, id`)
	if err != nil {
		return fmt.Errorf("sqlstore: check usernames: %w", err)
	}
	defer rows.Close()
	var groups [][]string
	last, users := "", 0
	for rows.Next() {
		var fold, name, id string
		if err := rows.Scan(&fold, &name, &id); err != nil {
			return fmt.Errorf("sqlstore: check usernames: %w", err)
		}
		users++
		if len(groups) == 0 || fold != last {
			groups = append(groups, nil)
			last = fold
		}
		if users <= maxCollisions {
			g := &groups[len(groups)-1]
			*g = append(*g, fmt.Sprintf("%q (id %q)", name, id))
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlstore: check usernames: %w", err)
	}
	if len(groups) == 0 {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d users in %d groups: ", users, len(groups))
	for i, g := range groups {
		if len(g) == 0 {
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(strings.Join(g, ", "))
	}
	if users > maxCollisions {
		fmt.Fprintf(&b, "; and %d more users", users-maxCollisions)
	}
	b.WriteString("; rename or delete all but one user of each group, then open the store again")
	return fmt.Errorf("%w: %s", ErrUsernamesCollide, b.String())
}
