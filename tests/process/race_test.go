//go:build unix && race

package process

// go test -race also builds the broker with the race detector, so races in
// the broker show up in its stderr (checked by the harness) and in its exit
// code (66) after SIGTERM.
func init() { raceBuild = true }
