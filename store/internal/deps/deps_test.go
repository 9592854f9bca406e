package deps

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// allowed lists, per package under store, the non-standard imports its
// non-test files may have.
var allowed = map[string][]string{
	".":                 {"teamsbot/bot", "teamsbot/booking/ledger", "teamsbot/activities/roster", "teamsbot/handoff"},
	"storetest":         {"teamsbot/bot", "teamsbot/booking/ledger", "teamsbot/activities/roster", "teamsbot/store"},
	"memory":            {"teamsbot/bot", "teamsbot/booking/ledger", "teamsbot/activities/roster", "teamsbot/store/internal/arrivals", "teamsbot/store/internal/keylock"},
	"embedded":          {"teamsbot/bot", "teamsbot/booking/ledger", "teamsbot/activities/roster", "teamsbot/store/internal/arrivals", "teamsbot/store/internal/keylock", "teamsbot/internal/every", "go.etcd.io/bbolt", "go.etcd.io/bbolt/errors"},
	"internal/keylock":  {},
	"internal/arrivals": {},
	"internal/deps":     {},
	"redis":             {"teamsbot/bot", "teamsbot/booking/ledger", "teamsbot/activities/roster", "github.com/redis/go-redis/v9", "github.com/go-redis/redis_rate/v10"},
}

func isStd(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".") && first != "teamsbot"
}

func TestImportLimits(t *testing.T) {
	root := filepath.Join("..", "..")
	imports := map[string]map[string]bool{} // package dir -> imports
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, filepath.Dir(path))
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if imports[rel] == nil {
			imports[rel] = map[string]bool{}
		}
		for _, imp := range f.Imports {
			p, err := strconv.Unquote(imp.Path.Value)
			if err != nil {
				return err
			}
			imports[rel][p] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for dir, imps := range imports {
		ok, known := allowed[dir]
		if !known {
			t.Errorf("store/%s: unknown package; add its import limits to deps_test.go", dir)
			continue
		}
		for imp := range imps {
			if !isStd(imp) && !slices.Contains(ok, imp) {
				t.Errorf("store/%s imports %s, which its limits do not allow", dir, imp)
			}
		}
	}
	for dir := range allowed {
		if imports[dir] == nil {
			t.Errorf("store/%s: listed but not found", dir)
		}
	}
}
