package knowledge

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// knowledge imports only the standard library and internal/fold (doc.go), so
// that every layer can depend on it.
func TestImports(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			first, _, _ := strings.Cut(path, "/")
			std := !strings.Contains(first, ".") && first != "teamsbot"
			if !std && path != "teamsbot/internal/fold" && path != "go.yaml.in/yaml/v3" {
				t.Errorf("%s imports %q; knowledge may import only the standard library, YAML and teamsbot/internal/fold", name, path)
			}
		}
	}
}
