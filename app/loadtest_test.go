package app

import "testing"

// TestLoadtestFindsRepliesSentTwice: the load test's check of what each
// chat received finds a reply sent twice, two swapped, and counts the
// replies still paced out as undelivered, not as wrong.
func TestLoadtestFindsRepliesSentTwice(t *testing.T) {
	texts := map[int64][]uint64{
		1:  {10, 11, 12, 13},
		2:  {10, 11, 12, 13},
		3:  {10, 11},             // the last two still paced out
		4:  {10, 11, 11, 12, 13}, // 11 sent twice
		5:  {10, 12, 11, 13},     // out of order
		6:  {10, 11, 12, 13},
		7:  {20, 21},     // wrote once: another script position
		8:  {20},         // its reply still paced out
		9:  {20, 21, 21}, // sent twice
		10: {20, 21},
	}
	updates := map[int64]int{1: 4, 2: 4, 3: 4, 4: 4, 5: 4, 6: 4, 7: 2, 8: 2, 9: 2, 10: 2}
	undelivered, duplicated := checkReplies(texts, updates)
	if undelivered != 3 || duplicated != 3 {
		t.Errorf("undelivered %d, chats with a reply twice or out of order %d; want 3 and 3", undelivered, duplicated)
	}
}
