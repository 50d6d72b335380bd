package config

import (
	"fmt"
	"strconv"
	"strings"
)

// Type is a property's value type, named as Kafka's ConfigDef names them.
type Type int8

const (
	Boolean Type = iota
	Int
	Long
	Double
	String
	List
	Password
)

func (t Type) String() string {
	return [...]string{"BOOLEAN", "INT", "LONG", "DOUBLE", "STRING", "LIST", "PASSWORD"}[t]
}

// check parses v as t, returning a readable error.
func (t Type) check(v string) error {
	var err error
	switch t {
	case Boolean:
		if v != "true" && v != "false" {
			err = fmt.Errorf("not a boolean")
		}
	case Int:
		_, err = strconv.ParseInt(v, 10, 32)
	case Long:
		_, err = strconv.ParseInt(v, 10, 64)
	case Double:
		_, err = strconv.ParseFloat(v, 64)
	}
	return err
}

// oneOf returns a validator accepting only the listed values.
func oneOf(allowed ...string) func(string) error {
	return func(v string) error {
		for _, a := range allowed {
			if v == a {
				return nil
			}
		}
		return fmt.Errorf("must be one of %s", strings.Join(allowed, ", "))
	}
}

// atLeast returns a validator for integers no smaller than lo.
func atLeast(lo int64) func(string) error {
	return func(v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return err
		}
		if n < lo {
			return fmt.Errorf("must be at least %d", lo)
		}
		return nil
	}
}

// listOf returns a validator for a non-empty comma-separated list whose
// items are all among allowed (Kafka trims spaces around items).
func listOf(allowed ...string) func(string) error {
	return func(v string) error {
		items := SplitList(v)
		if len(items) == 0 {
			return fmt.Errorf("must list at least one of %s", strings.Join(allowed, ", "))
		}
		for _, it := range items {
			if err := oneOf(allowed...)(it); err != nil {
				return fmt.Errorf("%q: %v", it, err)
			}
		}
		return nil
	}
}

// SplitList splits a LIST value into its trimmed, non-empty items.
func SplitList(v string) []string {
	var out []string
	for _, it := range strings.Split(v, ",") {
		if it = strings.TrimSpace(it); it != "" {
			out = append(out, it)
		}
	}
	return out
}

// between returns a validator for doubles in [lo, hi].
func between(lo, hi float64) func(string) error {
	return func(v string) error {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return err
		}
		if f < lo || f > hi {
			return fmt.Errorf("must be between %g and %g", lo, hi)
		}
		return nil
	}
}

func mustFloat(v string) float64 {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		panic(fmt.Sprintf("config: validated value %q is not a number", v))
	}
	return f
}

func mustInt64(v string) int64 {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		panic(fmt.Sprintf("config: validated value %q is not an integer", v))
	}
	return n
}
