package understand

// ForgetTrained empties this process's models, as if it had just started:
// the tests of the saved models need the next Build to look on disk.
func ForgetTrained() {
	models.Lock()
	models.byKey, models.order = nil, nil
	models.Unlock()
}
