package flow

import (
	"fmt"
	"io/fs"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// LinksFile is the content file that names deep links: what a poster's QR
// code (a Telegram t.me/<bot>?start=<name> link, a WhatsApp prefilled text)
// opens.
//
//	links:
//	  school: {flow: school}
//	  pua_prato:
//	    flow: find_service
//	    lang: it                   # optional: the language to use
//	    vars: {kind: pua}          # optional: variables to set first
const LinksFile = "links.yaml"

// Link is a named entry point.
type Link struct {
	Name string
	Flow string
	Lang string
	Vars map[string]string
}

var linkNameRE = regexp.MustCompile(`^[A-Za-z0-9_]{1,48}$`)

// LoadLinks reads links.yaml (a missing file means no links) and checks that
// each link opens a flow of prog.
func LoadLinks(fsys fs.FS, prog *Program) (map[string]Link, Issues) {
	raw, err := fs.ReadFile(fsys, LinksFile)
	if err != nil {
		return map[string]Link{}, nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, Issues{yamlIssue(LinksFile, err)}
	}
	d := &decoder{path: LinksFile}
	out := map[string]Link{}
	if len(doc.Content) == 0 {
		return out, nil
	}
	d.mapping(doc.Content[0], "links.yaml", func(key string, k, v *yaml.Node) bool {
		if key != "links" {
			return false
		}
		d.mapping(v, "links", func(name string, k, v *yaml.Node) bool {
			if !linkNameRE.MatchString(name) || strings.HasPrefix(name, "lang_") {
				d.errorf(k, "bad-name", "link %q: use letters, digits and _ (at most 48; not starting with lang_, which sets a language)", name)
				return true
			}
			l := Link{Name: name}
			d.mapping(v, "link "+name, func(key string, k, v *yaml.Node) bool {
				switch key {
				case "flow":
					r := d.ref(v, "flow", identRE)
					l.Flow = r.Name
					if r.Name != "" && prog != nil {
						if _, ok := prog.Flow(r.Name); !ok {
							d.errorf(v, "unknown-flow", "link %s: unknown flow %q", name, r.Name)
						}
					}
				case "lang":
					l.Lang, _ = d.scalar(v, "lang")
				case "vars":
					l.Vars = d.vars(v, "vars")
				default:
					return false
				}
				return true
			})
			if l.Flow == "" && l.Lang == "" {
				d.errorf(k, "empty-link", "link %s opens nothing: give it a flow, a lang, or both", name)
			}
			out[name] = l
			return true
		})
		return true
	})
	if len(d.issues) > 0 {
		return nil, d.issues
	}
	return out, nil
}

// String describes a link for messages.
func (l Link) String() string { return fmt.Sprintf("%s → %s", l.Name, l.Flow) }
