// Package every runs the service's periodic work (reminders, agendas,
// sweeps, calendar feeds): one loop, written once, that stops when its
// context ends.
package every

import (
	"context"
	"time"
)

// Run calls f every interval until ctx ends, and first at once when now
// is set. A call that is still running when a tick falls due delays the
// next call rather than overlapping it. It returns when ctx ends.
func Run(ctx context.Context, interval time.Duration, now bool, f func(context.Context)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	if now && ctx.Err() == nil {
		f(ctx)
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			f(ctx)
		}
	}
}
