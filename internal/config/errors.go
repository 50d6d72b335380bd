package config

// ErrorKind classifies a refused config change, so that a front end can
// answer with the code Kafka uses for it; the package itself knows nothing
// of wire codes.
type ErrorKind int8

const (
	// UnknownName: no such config (or one Samsa does not implement).
	UnknownName ErrorKind = iota + 1
	// NotDynamic: a broker property that only server.properties may set.
	NotDynamic
	// InvalidValue: a value of the wrong type or out of range, or values
	// that contradict each other.
	InvalidValue
	// NotList: APPEND or SUBTRACT on a config that is not a LIST.
	NotList
	// InvalidOp: an incremental operation Kafka does not define.
	InvalidOp
)

// Error is a refused config or config change. Msg is Kafka's wording where
// Kafka has one, meant for the client.
type Error struct {
	Kind ErrorKind
	Msg  string
}

func (e *Error) Error() string { return e.Msg }
