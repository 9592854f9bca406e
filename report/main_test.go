package report

import (
	"os"
	"testing"

	"teamsbot/internal/redistest"
)

// TestMain gives the tests on Redis a server: REDIS_URL, or a private one.
func TestMain(m *testing.M) { os.Exit(redistest.Main(m)) }
