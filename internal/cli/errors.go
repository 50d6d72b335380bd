package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
)

// Exit codes, the contract scripts rely on (see the package doc).
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// usageError is a bad invocation found after flag parsing (a bad --offset,
// conflicting flags): exit 2 with the command's usage, like a bad flag.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return usageError{fmt.Sprintf(format, args...)}
}

// withMessage adds the broker's error message, when it sent one, to a kerr
// error: "INVALID_CONFIG: ... (Unknown topic config name: foo)". The kerr
// error stays in the chain for errors.Is.
func withMessage(err error, msg string) error {
	if err == nil || msg == "" {
		return err
	}
	var ke *kerr.Error
	if errors.As(err, &ke) && ke.Description == msg {
		return err
	}
	return &brokerError{err, msg}
}

type brokerError struct {
	err error
	msg string
}

func (e *brokerError) Error() string { return fmt.Sprintf("%v (%s)", e.err, e.msg) }
func (e *brokerError) Unwrap() error { return e.err }

// status is a result cell: OK or the error.
func status(err error) string {
	if err == nil {
		return "OK"
	}
	return err.Error()
}

// explain rewrites the errors franz-go gives when no broker answered into
// one line that says so, with the dial error that shows why.
func explain(err error, brokers string, timeout time.Duration, w *connWatch) error {
	connected, dialErr := w.state()
	deadline := errors.Is(err, context.DeadlineExceeded)
	switch {
	case errors.Is(err, context.Canceled):
		return errors.New("interrupted")
	case !connected && dialErr != nil:
		return fmt.Errorf("cannot connect to %s: %v", brokers, dialErr)
	case !connected && deadline:
		return fmt.Errorf("cannot connect to %s within %v (--timeout)", brokers, timeout)
	case deadline:
		return fmt.Errorf("no answer from %s within %v (--timeout): %v", brokers, timeout, err)
	}
	return err
}
