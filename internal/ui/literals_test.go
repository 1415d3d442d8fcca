package ui

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ctop-like/ctop-like/internal/views"
)

// TestScreenAndBatchNameNoViewAndNoColumn: the screen and batch output ask
// the views (views.View) for everything about a view; a view or column id
// written in their code is a view's behaviour spread outside its
// declaration (issue 12). Tests are free to name them.
func TestScreenAndBatchNameNoViewAndNoColumn(t *testing.T) {
	ids := map[string]string{}
	for _, v := range views.All() {
		ids[v.ID] = "view"
		for _, c := range v.Columns {
			ids[c.ID] = "column of " + v.ID
		}
	}
	// Words that are column ids elsewhere but mean something else here.
	allowed := map[string]string{
		"text": "batch -l's unit name for text columns",
	}
	for _, dir := range []string{".", "../batch"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			fset := token.NewFileSet()
			file, err := parser.ParseFile(fset, f, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			imports := map[*ast.BasicLit]bool{}
			for _, im := range file.Imports {
				imports[im.Path] = true
			}
			ast.Inspect(file, func(n ast.Node) bool {
				lit, ok := n.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING || imports[lit] {
					return true
				}
				s, err := strconv.Unquote(lit.Value)
				if err != nil {
					return true
				}
				if what, ok := ids[s]; ok && allowed[s] == "" {
					t.Errorf("%s: %q is a %s id", fset.Position(lit.Pos()), s, what)
				}
				return true
			})
		}
	}
}
