package scratch

import (
	"testing"

	"teamsbot/app"
)

func TestLoadTwice(t *testing.T) {
	app.Load(app.EmbeddedContent(), app.LoadOptions{Demo: true})
	for range 3 {
		app.Load(app.EmbeddedContent(), app.LoadOptions{Demo: true})
	}
}
