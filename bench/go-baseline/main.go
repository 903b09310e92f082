// Command terraform-provider-rawtest is a minimal provider built on HashiCorp's
// terraform-plugin-framework. It mirrors cppvider's C++ "rawtest" provider and is used
// only as the yardstick in the start-up and memory benchmarks (bench/startup).
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
)

// address is the registry address Terraform knows this provider by.
const address = "example.com/cppvider/rawtest"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run in debug mode and print TF_REATTACH_PROVIDERS for a debugger-attached process")
	flag.Parse()

	err := providerserver.Serve(context.Background(), newProvider, providerserver.ServeOpts{
		Address:         address,
		Debug:           debug,
		ProtocolVersion: 6,
	})
	if err != nil {
		log.Fatal(err)
	}
}
