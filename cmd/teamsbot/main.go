// Command teamsbot is the TEAMS assistant: `teamsbot serve` runs the
// server, `teamsbot chat` talks in the terminal, `teamsbot lint` and
// `teamsbot test` check the content. See the README.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	// Days of the programme's figures are Rome's, whatever the image has.
	_ "time/tzdata"

	"teamsbot/app"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := app.Main(ctx)
	stop()
	os.Exit(code)
}
