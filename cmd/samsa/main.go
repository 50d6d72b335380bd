// Command samsa runs a Kafka-compatible broker: `samsa serve`.
package main

import (
	"fmt"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

const usage = `samsa: a Kafka-compatible streaming broker

Usage:
  samsa serve [flags]    run a single-node broker (samsa serve -h for flags)
`

func run(args []string) int {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, usage)
		return 2
	}
	switch args[0] {
	case "serve":
		return serve(args[1:])
	case "-h", "--help", "help":
		fmt.Print(usage)
		return 0
	default:
		fmt.Fprintf(os.Stderr, "samsa: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
}
