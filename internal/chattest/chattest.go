// Package chattest holds what the channel adapters' tests share. Tests
// only.
package chattest

import (
	"reflect"
	"time"

	"teamsbot/bot"
)

// SameInbounds compares messages field by field, times by the instant (a
// platform's timestamp may come in any location).
func SameInbounds(a, b []bot.Inbound) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if !x.Time.Equal(y.Time) {
			return false
		}
		x.Time, y.Time = time.Time{}, time.Time{}
		if !reflect.DeepEqual(x, y) {
			return false
		}
	}
	return true
}
