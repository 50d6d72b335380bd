// Command samsa runs a Kafka-compatible broker (`samsa serve`) and is a
// client for any Kafka-compatible broker (`samsa topic`, `group`,
// `produce`, `consume`, `cluster`: internal/cli).
package main

import (
	"os"

	"github.com/samsa-streaming/samsa/internal/cli"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

// run dispatches: `serve` here, every other command (help and usage
// errors included) to the CLI package.
func run(args []string) int {
	if len(args) > 0 && args[0] == "serve" {
		return serve(args[1:])
	}
	return cli.Main(args)
}
