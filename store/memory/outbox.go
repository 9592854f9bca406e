package memory

import "context"

// OutboxDepth counts the conversations with replies waiting to be sent
// (due now or later) and those with replies given up.
func (s *Store) OutboxDepth(ctx context.Context) (waiting, failed int, err error) {
	if err := s.begin(ctx, "outbox depth"); err != nil {
		return 0, 0, err
	}
	defer s.mu.Unlock()
	return len(s.due), len(s.failed), nil
}
