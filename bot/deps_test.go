package bot_test

import (
	"os/exec"
	"reflect"
	"strings"
	"testing"

	"teamsbot/bot"
)

// TestImportLimits enforces the arrows of ARCHITECTURE.md: the engine
// imports no HTTP, no adapter, no store, no platform SDK; adapters import no
// store and no other adapter.
func TestImportLimits(t *testing.T) {
	rules := []struct {
		pkg       string
		forbidden []string
	}{
		{"teamsbot/bot", []string{"net/http", "teamsbot/adapters/", "teamsbot/store", "teamsbot/app", "teamsbot/locales", "teamsbot/knowledge", "github.com/go-telegram", "github.com/slack-go", "github.com/redis", "go.etcd.io/bbolt", "github.com/nicksnyder/go-i18n"}},
		{"teamsbot/bot/flow", []string{"net/http", "teamsbot/bot\x00", "teamsbot/store", "teamsbot/adapters/"}},
		{"teamsbot/adapters/console", []string{"teamsbot/store", "teamsbot/app", "net/http"}},
		{"teamsbot/knowledge", []string{"teamsbot/bot", "teamsbot/store", "teamsbot/adapters/", "net/http"}},
		{"teamsbot/school", []string{"teamsbot/store", "teamsbot/adapters/", "net/http"}},
		{"teamsbot/nlu", []string{"teamsbot/bot", "teamsbot/store", "teamsbot/adapters/", "teamsbot/knowledge", "net/http"}},
		{"teamsbot/understand", []string{"teamsbot/store", "teamsbot/adapters/", "teamsbot/app", "net/http"}},
		// What a domain asks of a store is the domain's, and every store
		// imports it: nothing but the standard library.
		{"teamsbot/booking/ledger", []string{"teamsbot/"}},
		{"teamsbot/activities/roster", []string{"teamsbot/"}},
		// The domains do not know the stores that serve them.
		{"teamsbot/booking", []string{"teamsbot/store", "teamsbot/adapters/", "net/http"}},
		{"teamsbot/activities", []string{"teamsbot/store", "teamsbot/adapters/", "net/http"}},
		// The desk's cases are channel-neutral: no desk, no store, no HTTP.
		{"teamsbot/handoff", []string{"teamsbot/store", "teamsbot/adapters/", "teamsbot/app", "net/http", "github.com/slack-go"}},
	}
	for _, r := range rules {
		out, err := exec.Command("go", "list", "-deps", r.pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", r.pkg, err)
		}
		for _, dep := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			if dep == r.pkg {
				continue
			}
			for _, f := range r.forbidden {
				exact := strings.HasSuffix(f, "\x00")
				if (exact && dep == strings.TrimSuffix(f, "\x00")) || (!exact && strings.HasPrefix(dep, f)) {
					t.Errorf("%s imports %s, which it must not", r.pkg, dep)
				}
			}
		}
	}
}

// TestStoreIsSmall: the engine's store is what the engine needs (sessions,
// seen ids, the lock, forgetting, the outbox index), nothing a domain, a
// desk or the server asks for; a store is then quick to write and to fake.
func TestStoreIsSmall(t *testing.T) {
	st := reflect.TypeFor[bot.Store]()
	var names []string
	for m := range st.Methods() {
		names = append(names, m.Name)
	}
	if len(names) > 8 {
		t.Errorf("bot.Store has %d methods (%s): at most 8", len(names), strings.Join(names, ", "))
	}
}
