package app

import (
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestTrainedModelIsReadByServe: `teamsbot train` trains the classifier and
// saves it in TEAMSBOT_DATA; serve started on that folder and the same
// content reads it instead of training (as the container image does).
func TestTrainedModelIsReadByServe(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := filepath.Join(t.TempDir(), "teamsbot")
	if out, err := exec.Command("go", "build", "-o", bin, "teamsbot/cmd/teamsbot").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	data := t.TempDir()
	train := exec.Command(bin, "train")
	train.Env = append(os.Environ(), "TEAMSBOT_DATA="+data)
	out, err := train.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "built in") {
		t.Fatalf("train: %v\n%s", err, out)
	}
	saved, _ := filepath.Glob(filepath.Join(data, "model-*.nlu"))
	if len(saved) != 1 {
		t.Fatalf("train saved %v in %s, want one model", saved, data)
	}
	addr := freeAddr(t)
	var logs bytes.Buffer
	serve := exec.Command(bin, "serve")
	serve.Env = append(os.Environ(), "TEAMSBOT_ADDR="+addr, "TEAMSBOT_DATA="+data, "TEAMSBOT_PSEUDONYM_KEY=k")
	serve.Stdout, serve.Stderr = &logs, &logs
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	ready := false
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline) && !ready; time.Sleep(50 * time.Millisecond) {
		if resp, err := http.Get("http://" + addr + "/readyz"); err == nil {
			resp.Body.Close()
			ready = resp.StatusCode == 200
		}
	}
	_ = serve.Process.Kill()
	_ = serve.Wait()
	if !ready {
		t.Fatalf("serve did not become ready:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "read from the saved model") {
		t.Errorf("serve trained again instead of reading the model train saved:\n%s", logs.String())
	}
	if now, _ := filepath.Glob(filepath.Join(data, "model-*.nlu")); len(now) != 1 || now[0] != saved[0] {
		t.Errorf("models after serve: %v, want %v", now, saved)
	}
}
