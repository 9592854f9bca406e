package understand_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"teamsbot/understand"
)

// TestSavedModel: with SavedIn, a start after the first reads the trained
// model from the folder instead of training, and answers exactly as the
// trained one; a damaged file is trained again and replaced; the models of
// other content are removed.
func TestSavedModel(t *testing.T) {
	l := shipped(t)
	dir := t.TempDir()
	stale := filepath.Join(dir, "model-0000.nlu")
	if err := os.WriteFile(stale, []byte("a model of other content"), 0o600); err != nil {
		t.Fatal(err)
	}
	// Italian examples only: the same code path, a quicker training.
	src := understand.Source{Locales: content.Locales, Catalog: l.Catalog, Dir: l.Directory, Program: l.Program, SavedIn: dir,
		Hold: func(e understand.Example) bool { return e.Lang != "it" }}
	build := func() (*understand.Understander, os.FileInfo) {
		t.Helper()
		understand.ForgetTrained() // a new process
		u, issues := understand.Build(src)
		if u == nil {
			t.Fatal(issues)
		}
		files, _ := filepath.Glob(filepath.Join(dir, "model-*.nlu"))
		if len(files) != 1 {
			t.Fatalf("the folder holds %v, want one saved model", files)
		}
		info, err := os.Stat(files[0])
		if err != nil {
			t.Fatal(err)
		}
		return u, info
	}
	answers := func(u *understand.Understander) string {
		var s string
		for _, q := range []string{"come rinnovo il permesso", "dove è la questura di Prato", "税号", "lavoro", "asdfgh"} {
			s += fmt.Sprint(u.Understand(context.Background(), "it", q).Ranked)
		}
		return s
	}
	trained, first := build()
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("the model of other content is still there: %v", err)
	}
	read, again := build()
	if !os.SameFile(first, again) {
		t.Error("a start on the same content trained again instead of reading the saved model")
	}
	if d := read.Describe(); !strings.Contains(d, "read from the saved model") {
		t.Errorf("the log line says %q", d)
	}
	if a, b := answers(trained), answers(read); a != b {
		t.Errorf("the saved model answers differently:\n trained %s\n read    %s", a, b)
	}
	// Damaged: trained again, and the file replaced by a good one.
	if err := os.WriteFile(filepath.Join(dir, first.Name()), []byte("damaged"), 0o600); err != nil {
		t.Fatal(err)
	}
	retrained, replaced := build()
	if a, b := answers(trained), answers(retrained); a != b {
		t.Errorf("after a damaged file the model answers differently:\n %s\n %s", a, b)
	}
	if replaced.Size() == int64(len("damaged")) {
		t.Error("the damaged file was not replaced")
	}
	if _, again := build(); !os.SameFile(replaced, again) {
		t.Error("the replaced file is not read by the next start")
	}
}
