// Command terraform-provider-bench-tpf is the whole-CLI benchmark's small resource (bench_item)
// on HashiCorp's terraform-plugin-framework, the yardstick next to cppvider's framework and its
// framework-less floor (bench/cli/run.py). Same schema, same ids, same answers.
package main

import (
	"context"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
)

func main() {
	err := providerserver.Serve(context.Background(), newProvider, providerserver.ServeOpts{
		Address:         "example.com/cppvider/bench",
		ProtocolVersion: 6,
	})
	if err != nil {
		log.Fatal(err)
	}
}
