package locales

import (
	"testing"
	"testing/fstest"
)

func TestGlossary(t *testing.T) {
	fsys := fstest.MapFS{GlossaryFile: {Data: []byte(`terms:
  permesso di soggiorno:
    name: {fr: "permesso di soggiorno (titre de séjour)", zh: "permesso di soggiorno（居留许可）"}
    avoid: {fr: [permis de séjour], zh: [居留证]}
`)}}
	g, issues := LoadGlossary(fsys)
	if len(issues) > 0 || len(g.Terms) != 1 {
		t.Fatalf("%v %+v", issues, g)
	}
	if vs := g.Check("fr", "Renouvelez votre Permis de Séjour. Merci."); len(vs) != 1 || vs[0].Found != "permis de séjour" {
		t.Errorf("fr: %+v", vs)
	}
	if vs := g.Check("fr", "Renouvelez votre permesso di soggiorno (titre de séjour)."); len(vs) != 0 {
		t.Errorf("the glossary's own name flagged: %+v", vs)
	}
	if vs := g.Check("zh", "我的居留证到期了"); len(vs) != 1 {
		t.Errorf("zh, no spaces: %+v", vs)
	}
	if vs := g.Check("it", "permis de séjour"); len(vs) != 0 {
		t.Errorf("another language's list applied: %+v", vs)
	}
	if _, issues := LoadGlossary(fstest.MapFS{GlossaryFile: {Data: []byte("terms: [")}}); len(issues) != 1 {
		t.Errorf("broken YAML: %v", issues)
	}
	if g, issues := LoadGlossary(fstest.MapFS{}); len(issues) != 0 || g == nil {
		t.Error("no glossary is not an error")
	}
}
